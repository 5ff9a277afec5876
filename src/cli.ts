// bin/run.js's way into oclif: bundled with the commands, so both share one copy of @oclif/core
// that loads as a single file instead of ~160 CommonJS modules resolved one by one.
import { fileURLToPath } from "node:url";
import { flush, run } from "@oclif/core";
import { failureOf } from "./cli-errors.js";

/**
 * Runs `synq ARGV`; `entry` is the URL of the bin script (oclif finds package.json from it).
 * synq has no plugins: oclif neither reads the user's data directory for them nor a theme file,
 * so it opens nothing under $HOME (an unreadable HOME used to print an EACCES warning).
 * Errors oclif raises before a command runs (an unknown command) end as every failure does:
 * one line on stderr and the exit code in process.exitCode.
 */
export async function runCli(argv: string[], entry: string): Promise<void> {
  process.env.SYNQ_DISABLE_THEME = "1";
  try {
    await run(argv, { root: fileURLToPath(entry), userPlugins: false, devPlugins: false });
    await flush();
  } catch (err) {
    const { line, exitCode } = failureOf(err, undefined);
    if (line !== null) process.stderr.write(`${line}\n`);
    process.exitCode = exitCode;
  }
}

/**
 * Ends the process once the command is done (bin/run.js, bin/dev.js): now rather than when the
 * event loop empties, where a last garbage collection or a file request nobody waits for can
 * still cost ~20 ms. Output a pipe has not taken yet is written first.
 */
export async function exitWhenWritten(): Promise<never> {
  const written = (stream: NodeJS.WriteStream) =>
    stream.writableLength === 0 || stream.destroyed
      ? null
      : new Promise((resolve) => {
          stream.once("drain", resolve);
          stream.once("close", resolve);
          stream.once("error", resolve);
        });
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit();
}

// The way into oclif for bin/run.js and the single executable: bundled with the commands, so
// both share one copy of @oclif/core that loads as a single file instead of ~160 CommonJS
// modules resolved one by one.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Config, flush, Plugin, run } from "@oclif/core";
import { failureOf } from "./cli-errors.js";
import { COMMANDS } from "./index.js";
import { outputWritten } from "./system/output-written.js";

/** What oclif reads of package.json: name, version, and its `oclif` section. */
export type PackageJson = ConstructorParameters<typeof Plugin>[0]["pjson"] & object;

/**
 * Runs `synq ARGV`; `entry` is the URL of the bin script, two levels below package.json.
 * synq has no plugins: oclif neither reads the user's data directory for them nor a theme file,
 * so it opens nothing under $HOME (an unreadable HOME used to print an EACCES warning).
 */
export async function runCli(argv: string[], entry: string): Promise<void> {
  const root = dirname(dirname(fileURLToPath(entry)));
  const pjson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;
  await runCliWith(argv, root, pjson);
}

/**
 * Runs `synq ARGV` with oclif's configuration built here from `pjson` and COMMANDS, not
 * discovered: oclif looks for package.json above `root`, for a manifest file, and imports the
 * commands' module by its path, none of which exist in the single executable (and which cost
 * the npm install start-up time). Errors oclif raises before a command runs (an unknown
 * command) end as every failure does: one line on stderr and the exit code in process.exitCode.
 */
export async function runCliWith(argv: string[], root: string, pjson: PackageJson): Promise<void> {
  process.env.SYNQ_DISABLE_THEME = "1";
  try {
    const plugin = new Plugin({ root, pjson, isRoot: true, ignoreManifest: true });
    // The explicit strategy's module, already loaded: oclif 4 keeps it in this private field
    // and imports package.json's oclif.commands.target only when it is empty.
    (plugin as unknown as { commandCache: typeof COMMANDS }).commandCache = COMMANDS;
    await plugin.load();
    const config = await Config.load({
      root,
      pjson,
      plugins: new Map([[plugin.name, plugin]]),
      userPlugins: false,
      devPlugins: false,
    });
    await run(argv, config);
    await flush();
  } catch (err) {
    const { line, exitCode } = failureOf(err, undefined);
    if (line !== null) process.stderr.write(`${line}\n`);
    process.exitCode = exitCode;
  }
}

/**
 * Ends the process once the command is done (bin/run.js, bin/dev.js, the single executable):
 * now rather than when the event loop empties, where a last garbage collection or a file
 * request nobody waits for can still cost ~20 ms. Output a pipe has not taken yet is written
 * first.
 */
export async function exitWhenWritten(): Promise<never> {
  await Promise.all([outputWritten(process.stdout), outputWritten(process.stderr)]);
  process.exit();
}

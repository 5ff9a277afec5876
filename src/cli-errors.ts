import { ExitCode, SynqError } from "./errors.js";

/** An error as oclif raises it: `oclif.exit` set; `code` "EEXIT" for `this.exit()`. */
interface OclifError extends Error {
  code?: string;
  oclif?: { exit?: number };
}

/** The ExitError of `this.exit(n)`: the line was printed already, only the code is left. */
function exitRequest(err: OclifError): number | null {
  return err.code === "EEXIT" ? (err.oclif?.exit ?? 1) : null;
}

/**
 * oclif's parser errors (unknown flag or command, missing or surplus argument, bad option
 * value) as one line: their text without the "See more help" hint, which becomes a pointer to
 * the command's own help. Nothing of oclif's configuration is ever included.
 */
export function usageLine(message: string, commandId: string | undefined): string {
  const text = message
    .split("\n")
    .filter((line) => !/^\s*See more help with/i.test(line))
    .join(" ")
    .replace(/^\s*The following errors? occurred:/i, "")
    .replace(/\s+/g, " ")
    .trim();
  const help = commandId ? `synq ${commandId} --help` : "synq --help";
  return `${text}; see \`${help}\``;
}

/**
 * What a failed run prints and exits with, the same with and without --json: one line for
 * stderr (null when it was printed already) and the exit code. stdout gets nothing.
 */
export function failureOf(
  err: unknown,
  commandId: string | undefined,
): { line: string | null; exitCode: number } {
  if (err instanceof SynqError) return { line: `synq: ${err.oneLine()}`, exitCode: err.exitCode };
  const e = (err instanceof Error ? err : new Error(String(err))) as OclifError;
  const exit = exitRequest(e);
  if (exit !== null) return { line: null, exitCode: exit };
  // synq itself never throws oclif's errors: any other one comes from parsing the command line.
  if (e.oclif)
    return { line: `synq: ${usageLine(e.message, commandId)}`, exitCode: ExitCode.usage };
  const debug = process.env.SYNQ_DEBUG ? `${e.stack ?? String(e)}\n` : "";
  return {
    line: `${debug}synq: unexpected error: ${e.message}; rerun with SYNQ_DEBUG=1 and report it`,
    exitCode: ExitCode.unexpected,
  };
}

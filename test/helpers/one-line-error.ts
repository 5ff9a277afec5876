import { expect } from "vitest";
import type { SynqRun } from "./run-synq.js";

/** `args` with --json added, before a `--` that ends the flags. */
export function withJson(args: readonly string[]): string[] {
  const end = args.indexOf("--");
  return end === -1 ? [...args, "--json"] : [...args.slice(0, end), "--json", ...args.slice(end)];
}

/** A failed run: the exit code, nothing on stdout, one `synq: ` line on stderr, no stack. */
export function expectOneLineError(r: SynqRun, code: number, pattern: RegExp, mode = ""): void {
  const where = `${mode}stderr: ${r.stderr}`;
  expect(r.status, where).toBe(code);
  expect(r.stdout, where).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, where).toHaveLength(1);
  expect(lines[0], where).toMatch(/^synq: /);
  expect(lines[0], where).toMatch(pattern);
  expect(r.stderr, where).not.toMatch(/\n\s+at /);
}

/**
 * Runs `args` as given and with --json, and expects the same one-line failure from both:
 * --json changes stdout's format, never whether the reason reaches stderr.
 */
export function expectOneLineErrorBothWays(
  run: (args: string[]) => SynqRun,
  args: readonly string[],
  code: number,
  pattern: RegExp,
): void {
  expectOneLineError(run([...args]), code, pattern, "without --json, ");
  expectOneLineError(run(withJson(args)), code, pattern, "with --json, ");
}

/**
 * Usage errors (unknown flag or command, missing value or argument, a value outside a flag's
 * options, flags that exclude each other): one line on stderr pointing at the command's help,
 * exit code 64 (not 2, which is `status --check`'s), nothing on stdout, with and without --json.
 */
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { expectOneLineErrorBothWays, withJson } from "../helpers/one-line-error.js";
import { runSynq } from "../helpers/run-synq.js";

describe("usage errors", () => {
  it.each([
    [["decode-cookie", "--bogus"], /Nonexistent flag: --bogus; see `synq decode-cookie --help`$/],
    [["status", "--bogus"], /Nonexistent flag: --bogus; see `synq status --help`$/],
    [["status", "--port"], /Flag --port expects a value; see `synq status --help`$/],
    [["decode-cookie", "1", "2"], /Unexpected argument: 2; see `synq decode-cookie --help`$/],
    [
      ["trace-drops", "--strategy", "xdp"],
      /Expected --strategy=xdp to be one of: auto, fentry, kprobe, cgroup, tc; see `synq trace-drops --help`$/,
    ],
    [
      ["status", "--netns", "a", "--all-netns"],
      /^synq: --all-netns=true cannot also be provided when using --netns; see `synq status --help`$/,
    ],
    [["nosuch"], /^synq: command nosuch not found; see `synq --help`$/],
  ])("%j", (args, pattern) => {
    expectOneLineErrorBothWays((a) => runSynq(a), args, ExitCode.usage, pattern);
  });

  it("never prints oclif's configuration (paths, the user's home)", () => {
    const r = runSynq(withJson(["decode-cookie", "--bogus"]));
    expect(r.stdout + r.stderr).not.toMatch(/"config"|"root"|node_modules|\/home\/|\/root\//);
    expect(Buffer.byteLength(r.stderr)).toBeLessThan(200);
  });

  it("has a code of its own, apart from every other failure", () => {
    const others = Object.entries(ExitCode).filter(([name]) => name !== "usage");
    expect(others.map(([, code]) => code)).not.toContain(ExitCode.usage);
  });
});

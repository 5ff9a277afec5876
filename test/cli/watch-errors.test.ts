/**
 * synq watch refuses what it cannot do in one line on stderr, before it touches the terminal:
 * stdout that is not a terminal (naming `synq status --interval S` and --json instead), and
 * every bad flag, with the very line `status` and `trace-drops` print for the flags they share.
 */
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { expectOneLineError } from "../helpers/one-line-error.js";
import { runSynq } from "../helpers/run-synq.js";

const watch = (...args: string[]) => runSynq(["watch", ...args]);

describe("synq watch without a terminal or with bad flags", () => {
  it("says stdout is not a terminal and names status --interval and --json", () => {
    expectOneLineError(
      watch(),
      ExitCode.usage,
      /needs a terminal on stdout; for a pipe or a file use `synq status --interval 1` \(add --json/,
    );
    expectOneLineError(watch("--interval", "5"), ExitCode.usage, /`synq status --interval 5`/);
  });

  for (const args of [
    ["--port", "70000"],
    ["--interval", "0"],
    ["--interval", "soon"],
    ["--netns", "synq-watch-no-such-namespace"],
    ["--netns", "synq-watch-no-such-*"],
  ]) {
    it(`refuses ${args.join(" ")} as synq status does`, () => {
      const status = runSynq(["status", ...args]);
      expect(status.status).not.toBe(0);
      const r = watch(...args);
      expectOneLineError(r, status.status as number, /^synq: /);
      expect(r.stderr).toBe(status.stderr);
    });
  }

  for (const args of [
    ["--strategy", "bogus"],
    ["--tc-hook", "bogus"],
    ["--tc-hook", "clsact", "--strategy", "cgroup"],
    ["--cgroup", "", "--strategy", "tc"],
    ["--cgroup", "x", "--tc-hook", "tcx"],
  ]) {
    it(`refuses ${args.join(" ")} as synq trace-drops does`, () => {
      const trace = runSynq(["trace-drops", ...args]);
      expect(trace.status).not.toBe(0);
      const r = watch(...args);
      expectOneLineError(r, trace.status as number, /^synq: /);
      expect(r.stderr).toBe(trace.stderr.replace("synq trace-drops --help", "synq watch --help"));
    });
  }

  it("refuses --no-trace with a tracer flag, and --netns with --all-netns", () => {
    expectOneLineError(
      watch("--no-trace", "--strategy", "tc"),
      ExitCode.usage,
      /--no-trace cannot be combined with --strategy/,
    );
    expectOneLineError(watch("--netns", "a", "--all-netns"), ExitCode.usage, /--all-netns/);
  });
});

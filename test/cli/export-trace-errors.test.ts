/**
 * `synq export --trace` refusals: each is decided from the flags (and the process's
 * capabilities) before anything is loaded, served or written.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { expectOneLineError } from "../helpers/one-line-error.js";
import { isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq } from "../helpers/run-synq.js";

const scratch = mkdtempSync(join(tmpdir(), "synq-export-trace-errors-"));
chmodSync(scratch, 0o777); // nobody may write here: its refusal must come from --trace alone
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const file = join(scratch, "synq.prom");

function exportFails(args: string[], code: number, pattern: RegExp, asNobody = false): void {
  expectOneLineError(runSynq(["export", ...args], {}, asNobody), code, pattern);
  expect(readdirSync(scratch)).toEqual([]);
}

describe("synq export --trace flag combinations", () => {
  it("refuses the tracer's flags without --trace, as usage errors", () => {
    exportFails(
      ["--peak-window", "5"],
      ExitCode.usage,
      /^synq: --peak-window applies only with --trace$/,
    );
    exportFails(
      ["--strategy", "tc"],
      ExitCode.usage,
      /^synq: --strategy applies only with --trace$/,
    );
    exportFails(
      ["--tc-hook", "clsact"],
      ExitCode.usage,
      /^synq: --tc-hook applies only with --trace$/,
    );
    exportFails(["--cgroup", "x"], ExitCode.usage, /^synq: --cgroup applies only with --trace$/);
  });

  it("takes --duration only with --textfile and --trace, and needs it with both", () => {
    exportFails(
      ["--trace", "--duration", "3"],
      ExitCode.usage,
      /^synq: --duration applies only with --textfile and --trace: a server traces until stopped$/,
    );
    exportFails(
      ["--textfile", file, "--duration", "3"],
      ExitCode.usage,
      /^synq: --duration applies only with --trace: without it --textfile collects at once$/,
    );
    exportFails(
      ["--textfile", file, "--trace"],
      ExitCode.usage,
      /^synq: --textfile with --trace needs --duration S: how long to trace before writing$/,
    );
  });

  it("checks the values of --peak-window, --duration and the attach flags", () => {
    exportFails(
      ["--trace", "--peak-window", "0"],
      ExitCode.badInput,
      /^synq: --peak-window "0" is not a duration; give seconds/,
    );
    exportFails(
      ["--trace", "--textfile", file, "--duration", "soon"],
      ExitCode.badInput,
      /^synq: --duration "soon" is not a duration/,
    );
    exportFails(
      ["--trace", "--strategy", "fentry", "--tc-hook", "tcx"],
      ExitCode.badInput,
      /^synq: --tc-hook applies to the tc strategy, not fentry$/,
    );
  });

  it.skipIf(missing(isRoot, "root, to run as nobody"))(
    "refuses --trace without root in one line, served or written",
    () => {
      // As nobody; or, run through the release tests' chroot wrapper, as root of a user
      // namespace that gave up its capabilities.
      const refusal =
        /^synq: --trace (loads BPF programs, which needs root \(CAP_BPF and CAP_PERFMON, and CAP_NET_ADMIN for tc\); rerun synq export with sudo, or without --trace|runs as root but without CAP_BPF and CAP_PERFMON; run it where root keeps its capabilities \(.*\))$/;
      exportFails(["--trace"], ExitCode.permission, refusal, true);
      exportFails(
        ["--trace", "--textfile", file, "--duration", "1"],
        ExitCode.permission,
        refusal,
        true,
      );
    },
  );
});

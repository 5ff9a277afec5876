import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { expectOneLineError } from "../helpers/one-line-error.js";
import { isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq } from "../helpers/run-synq.js";

const scratch = mkdtempSync(join(tmpdir(), "synq-export-errors-"));
chmodSync(scratch, 0o755); // root's, not writable by nobody: the permission test
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `synq export ARGS` fails with one line, and leaves the scratch directory as it was. */
function exportFails(args: string[], code: number, pattern: RegExp, asNobody = false): void {
  const before = readdirSync(scratch);
  expectOneLineError(runSynq(["export", ...args], {}, asNobody), code, pattern);
  expect(readdirSync(scratch)).toEqual(before);
}

describe("synq export failures", () => {
  it("says that only --textfile exists yet, as a usage error", () => {
    exportFails(
      [],
      ExitCode.usage,
      /^synq: synq export writes only a --textfile PATH in this version; .*--textfile DIR\/synq\.prom/,
    );
    exportFails(["--port", "80"], ExitCode.usage, /writes only a --textfile PATH/);
  });

  it("names a directory that does not exist, before collecting", () => {
    exportFails(
      ["--textfile", join(scratch, "nope", "synq.prom")],
      ExitCode.badInput,
      /cannot write --textfile .*nope\/synq\.prom: directory .*nope does not exist; create it/,
    );
  });

  it("refuses a directory as --textfile, and an empty one", () => {
    mkdirSync(join(scratch, "dir"), { recursive: true });
    exportFails(["--textfile", join(scratch, "dir")], ExitCode.badInput, /it is a directory/);
    exportFails(["--textfile", ""], ExitCode.badInput, /--textfile is empty/);
  });

  it("checks --port and --netns as status does", () => {
    const file = join(scratch, "synq.prom");
    exportFails(["--textfile", file, "--port", "http"], ExitCode.badInput, /port/);
    exportFails(
      ["--textfile", file, "--netns", "synq-no-such-ns"],
      ExitCode.badInput,
      /network namespace "synq-no-such-ns" does not exist/,
    );
    exportFails(["--textfile", file, "--json"], ExitCode.usage, /Nonexistent flag: --json/);
  });

  it.skipIf(missing(isRoot, "root, to run as nobody"))(
    "says permission for a directory it may not write",
    () => {
      exportFails(
        ["--textfile", join(scratch, "synq.prom")],
        ExitCode.permission,
        /cannot write --textfile .*synq\.prom: writing to .* was refused \(EACCES\); run synq as a user that may write there/,
        true,
      );
    },
  );
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode, SynqError } from "../../../src/errors.js";
import { runTool } from "../../../src/system/run-tool.js";
import { hasTool, missing } from "../../helpers/prerequisites.js";

describe("runTool", () => {
  it("returns stdout of a tool run with an argument array", async () => {
    const out = await runTool({ name: "", path: null }, "printf", ["%s|%s", "a b", "$HOME"]);
    expect(out).toBe("a b|$HOME");
  });

  it("names a missing tool and how to install it", async () => {
    // An empty directory as the whole PATH: a PATH entry this user may not search (root's
    // /root/.cargo/bin seen by nobody) makes the spawn fail with EACCES instead of ENOENT.
    const empty = mkdtempSync(join(tmpdir(), "synq-path-"));
    const path = process.env.PATH;
    process.env.PATH = empty;
    const err = await runTool({ name: "", path: null }, "synq-no-such-tool", [])
      .catch((e) => e)
      .finally(() => {
        if (path === undefined) delete process.env.PATH;
        else process.env.PATH = path;
        rmSync(empty, { recursive: true });
      });
    expect(err).toBeInstanceOf(SynqError);
    expect(err.exitCode).toBe(ExitCode.missingTool);
    expect(err.message).toBe("`synq-no-such-tool` was not found in PATH");
  });

  it("reports a non-zero exit with the tool's last stderr line", async () => {
    const err = await runTool({ name: "", path: null }, "sh", [
      "-c",
      "echo first >&2; echo last >&2; exit 3",
    ]).catch((e) => e);
    expect(err.exitCode).toBe(ExitCode.systemRead);
    expect(err.message).toBe("`sh` failed with exit code 3: last");
  });

  it.skipIf(missing(hasTool("nsenter"), "nsenter"))(
    "does not take nsenter's own failure for one of the tool's accepted exit codes",
    async () => {
      // grep exits 1 or 2 for "no match" or "missing file": accepted; nsenter failing also exits 1.
      const target = { name: "gone", path: "/nonexistent/synq-netns" };
      const err = await runTool(
        target,
        "grep",
        ["-s", "-H", "", "/proc/net/snmp"],
        [0, 1, 2],
      ).catch((e) => e);
      // nsenter could not enter: the namespace is gone (not an accepted exit of grep).
      expect(err).toBeInstanceOf(SynqError);
      expect(err.exitCode).toBe(ExitCode.badInput);
      expect(err.message).toMatch(/^network namespace "gone" does not exist/);
    },
  );
});

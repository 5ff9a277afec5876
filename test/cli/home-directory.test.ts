/**
 * synq has no user plugins, theme or configuration: it opens nothing under $HOME. A user whose
 * HOME it may not read (`sudo -u` without -H, setpriv) used to get an EACCES warning from
 * oclif's search for user plugins before every command's output.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq, SYNQ_ARGV, SYNQ_BIN } from "../helpers/run-synq.js";

const home = mkdtempSync(join(tmpdir(), "synq-home-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const COMMANDS = [
  ["--help"],
  ["--version"],
  ["decode-cookie", "19892476"],
  ["decode-cookie", "--bogus", "--json"],
  ["status", "--json"],
];

describe.skipIf(missing(hasTool("strace"), "strace"))("files synq opens", () => {
  it.each(COMMANDS)("%s: none under $HOME (strace)", (...args) => {
    const log = join(home, "..", `synq-strace-${process.pid}.log`);
    try {
      const r = spawnSync(
        "strace",
        ["-f", "-qq", "-e", "trace=%file", "-o", log, ...SYNQ_ARGV, ...args],
        { encoding: "utf8", env: { ...process.env, HOME: home, NO_COLOR: "1" }, timeout: 60_000 },
      );
      expect(r.status, r.stderr).not.toBeNull();
      const calls = readFileSync(log, "utf8").split("\n");
      // The trace saw the run (node opens its own binary's directory at least).
      expect(calls.some((c) => c.includes(SYNQ_BIN))).toBe(true);
      expect(calls.filter((c) => c.includes(home))).toEqual([]);
    } finally {
      rmSync(log, { force: true });
    }
  });
});

describe.skipIf(missing(isRoot && hasTool("setpriv"), "root and setpriv, to run as nobody"))(
  "a user who may not read HOME",
  () => {
    it.each([["--version"], ["decode-cookie", "19892476"], ["status", "--json"]])(
      "%s: no warning, same exit code",
      (...args) => {
        const r = runSynq(args, { HOME: "/root" }, true);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
      },
    );
  },
);

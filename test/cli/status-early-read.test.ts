/**
 * bin/run.js starts `synq status`'s socket reads before oclif loads (src/early-start.ts) and the
 * command takes them over: read through ss (SYNQ_SOCKETS=ss, where each read is a visible
 * process), ss must run once per sample, never twice, and nothing at all for what is not a
 * status read. The sock_diag reads go through the same read-ahead (status/read-sockets.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { capturesOf, FIXTURES } from "../helpers/fixtures.js";
import { runSynq } from "../helpers/run-synq.js";

const [busy] = capturesOf("busy");
if (!busy) throw new Error("no busy capture in fixtures/");
const scratch = mkdtempSync(join(tmpdir(), "synq-early-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// An ss that logs each call, then answers from the capture like fixtures/bin/ss.
writeFileSync(
  join(scratch, "ss"),
  `#!/bin/sh\necho "$*" >> "$SYNQ_SS_LOG"\nexec ${join(FIXTURES, "bin", "ss")} "$@"\n`,
  { mode: 0o755 },
);

let runs = 0;
function statusRun(args: string[]) {
  const log = join(scratch, `calls-${++runs}.log`);
  const r = runSynq(args, {
    SYNQ_SOCKETS: "ss",
    PATH: `${scratch}:${process.env.PATH}`,
    SYNQ_FAKE_SS_DIR: busy?.dir,
    SYNQ_PROC_ROOT: join(busy?.dir ?? "", "proc"),
    SYNQ_SS_LOG: log,
  });
  const calls = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
  return { r, calls };
}

const LISTENERS = "-H -l -t -n -m -p -e";
const SYN_RECV = "-H -t -n state syn-recv";

describe("socket reads started before oclif loads", () => {
  it("runs each ss once for one sample", () => {
    const { r, calls } = statusRun(["status", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).namespaces[0].listeners.length).toBeGreaterThan(0);
    expect(calls().sort()).toEqual([LISTENERS, SYN_RECV]);
  });

  it("runs them once per sample with --interval (the second sample is read fresh)", () => {
    const { r, calls } = statusRun(["status", "--json", "--interval", "0.2"]);
    expect(r.status, r.stderr).toBe(0);
    expect(calls().sort()).toEqual([LISTENERS, LISTENERS, SYN_RECV, SYN_RECV]);
  });

  it("starts them before oclif parses: a flag oclif rejects comes after they started", async () => {
    const { r, calls } = statusRun(["status", "--no-such-flag"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no-such-flag/);
    // The spawned ss logs its call even after synq has exited.
    for (let i = 0; i < 50 && calls().length < 2; i++) await sleep(50);
    expect(calls().sort()).toEqual([LISTENERS, SYN_RECV]);
  });

  it("starts nothing for --help or another command", async () => {
    const help = statusRun(["status", "--help"]);
    const cookie = statusRun(["decode-cookie", "1"]);
    expect(help.r.status).toBe(0);
    await sleep(300);
    expect(help.calls()).toEqual([]);
    expect(cookie.calls()).toEqual([]);
  });
});

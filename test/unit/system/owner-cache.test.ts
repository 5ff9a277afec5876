import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OwnerResolver } from "../../../src/system/owner-cache.js";

let proc = "";
function fakeProcess(pid: number, comm: string, fds: Record<string, string>) {
  mkdirSync(join(proc, String(pid), "fd"), { recursive: true });
  writeFileSync(join(proc, String(pid), "comm"), `${comm}\n`);
  for (const [fd, target] of Object.entries(fds))
    symlinkSync(target, join(proc, String(pid), "fd", fd));
}

beforeEach(() => {
  proc = mkdtempSync(join(tmpdir(), "synq-proc-"));
  fakeProcess(1, "systemd", { "0": "/dev/null" });
  fakeProcess(310, "nginx", { "3": "socket:[1001]", "4": "pipe:[7]" });
  fakeProcess(311, "nginx", { "3": "socket:[1001]", "5": "socket:[1002]" });
  mkdirSync(join(proc, "self"));
});
afterEach(() => rmSync(proc, { recursive: true, force: true }));

describe("socket owners from /proc/*/fd", () => {
  it("maps every socket inode to the processes holding it, pid order, each process once", async () => {
    fakeProcess(312, "nginx", { "6": "socket:[1002]", "8": "socket:[1002]" });
    const r = new OwnerResolver(proc);
    expect(await r.resolve(1001)).toEqual([
      { pid: 310, command: "nginx", fd: 3 },
      { pid: 311, command: "nginx", fd: 3 },
    ]);
    expect(r.known(1002)).toEqual([
      { pid: 311, command: "nginx", fd: 5 },
      { pid: 312, command: "nginx", fd: 6 },
    ]);
    expect(await r.resolve(7)).toEqual([]);
  });

  it("scans once per unknown inode, at most once per interval, and caches", async () => {
    let now = 0;
    const r = new OwnerResolver(proc, 1000, () => now);
    expect(await r.resolve(1001)).toHaveLength(2);
    fakeProcess(400, "haproxy", { "9": "socket:[2000]" });
    // 2000 is new, but the last scan was just now: not found yet, nothing rescanned.
    expect(await r.resolve(2000)).toEqual([]);
    now = 1500;
    expect(await r.resolve(2000)).toEqual([{ pid: 400, command: "haproxy", fd: 9 }]);
    expect(r.known(1001)).toHaveLength(2);
    expect(await r.resolve(0)).toEqual([]);
  });
});

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ListenerOwnerCache, OwnerResolver } from "../../../src/system/owner-cache.js";

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

describe("listener owners kept between samples (the exporter)", () => {
  const owners = (m: Map<number, { pid: number; fd: number }[]>, ino: number) =>
    (m.get(ino) ?? []).map((o) => `${o.pid}/${o.fd}`);

  it("scans once for the first sample, then only for listeners it has not seen", async () => {
    let now = 0;
    const cache = new ListenerOwnerCache(proc, 60_000, () => now);
    const first = cache.sample();
    const a = await first(new Set([1001]));
    // A second namespace of the same sample: no second scan.
    const b = await first(new Set([1002]));
    expect(owners(a, 1001)).toEqual(["310/3", "311/3"]);
    expect(owners(b, 1002)).toEqual(["311/5"]);
    expect(cache.scans).toBe(1);

    // A process forks and holds 1001 too: the cache does not look, within refreshMs.
    fakeProcess(320, "nginx", { "7": "socket:[1001]" });
    now = 10_000;
    const second = cache.sample();
    expect(owners(await second(new Set([1001, 1002])), 1001)).toEqual(["310/3", "311/3"]);
    expect(cache.scans).toBe(1);

    // A new listener (2000): one scan, which also brings 1001 up to date.
    fakeProcess(400, "haproxy", { "9": "socket:[2000]" });
    const third = cache.sample();
    const got = await third(new Set([1001, 2000]));
    expect(owners(got, 2000)).toEqual(["400/9"]);
    expect(owners(got, 1001)).toEqual(["310/3", "311/3", "320/7"]);
    expect(cache.scans).toBe(2);
  });

  it("rescans after refreshMs, remembers sockets nobody holds, and forgets listeners gone", async () => {
    let now = 0;
    const cache = new ListenerOwnerCache(proc, 60_000, () => now);
    await cache.sample()(new Set([1001, 5555]));
    expect(cache.scans).toBe(1);
    // 5555 has no holder: known as such, no scan for it next time.
    expect(owners(await cache.sample()(new Set([1001, 5555])), 5555)).toEqual([]);
    expect(cache.scans).toBe(1);
    // 1002 was never asked for, and 5555 is gone from this sample: 5555 is forgotten.
    await cache.sample()(new Set([1001]));
    await cache.sample()(new Set([5555]));
    expect(cache.scans).toBe(2);
    now = 60_000;
    await cache.sample()(new Set([5555]));
    expect(cache.scans).toBe(3);
  });
});

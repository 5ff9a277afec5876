import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { libc } from "../../../src/ffi/libc.js";
import { findSocketOwners, scanSocketFds } from "../../../src/system/socket-owners.js";

describe("findSocketOwners on a /proc tree", () => {
  const root = mkdtempSync(join(tmpdir(), "synq-owners-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const proc = (pid: string, comm: string | null, fds: Record<string, string>) => {
    mkdirSync(join(root, pid, "fd"), { recursive: true });
    if (comm !== null) writeFileSync(join(root, pid, "comm"), `${comm}\n`);
    for (const [fd, target] of Object.entries(fds)) symlinkSync(target, join(root, pid, "fd", fd));
  };
  proc("200", "sleep", { "4": "socket:[555]", "5": "/dev/null" });
  proc("100", "nginx: worker", { "12": "socket:[555]", "3": "socket:[777]", "7": "socket:[999]" });
  proc("300", null, { "1": "socket:[777]" }); // exited before its comm was read
  mkdirSync(join(root, "self"));
  mkdirSync(join(root, "400")); // no fd directory: a process we may not look into

  it("finds every holder of the wanted sockets, by pid then fd, with command names", () => {
    const owners = findSocketOwners(new Set([555, 777]), root);
    expect(owners.get(555)).toEqual([
      { command: "nginx: worker", pid: 100, fd: 12 },
      { command: "sleep", pid: 200, fd: 4 },
    ]);
    expect(owners.get(777)).toEqual([
      { command: "nginx: worker", pid: 100, fd: 3 },
      { command: "?", pid: 300, fd: 1 },
    ]);
    expect(owners.has(999)).toBe(false);
  });

  it("returns nothing when nothing is wanted", () => {
    expect(findSocketOwners(new Set(), root).size).toBe(0);
  });

  it("reads a process with thousands of fds (several getdents64 calls), in fd order", () => {
    const many = mkdtempSync(join(tmpdir(), "synq-owners-many-"));
    try {
      mkdirSync(join(many, "500", "fd"), { recursive: true });
      // Created in a scrambled order: the directory does not list them by number.
      for (let i = 0; i < 6000; i++) {
        const fd = (i * 2654435761) % 6007;
        symlinkSync(
          fd % 3 ? `socket:[${100000 + fd}]` : "/dev/null",
          join(many, "500", "fd", `${fd}`),
        );
      }
      const table = scanSocketFds(many);
      const fds: number[] = [];
      for (let i = 0; i < table.length; i += 3) {
        expect(table[i]).toBe(500);
        expect(table[i + 2]).toBe(100000 + (table[i + 1] as number));
        fds.push(table[i + 1] as number);
      }
      expect(fds.length).toBe(4000);
      expect(fds).toEqual([...fds].sort((a, b) => a - b));
    } finally {
      rmSync(many, { recursive: true, force: true });
    }
  });

  it("reads the same with readdir where libc has no getdents64", () => {
    expect(scanSocketFds(root, { ...libc(), getdents64: null })).toEqual(scanSocketFds(root));
    expect(scanSocketFds(root).length).toBe(3 * 5);
  });
});

describe("findSocketOwners on the live /proc", () => {
  let server: Server;
  afterAll(() => server?.close());

  it("finds this process holding its own listening socket", async () => {
    const before = new Set(socketInodes());
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const inode = socketInodes().find((i) => !before.has(i));
    expect(inode).toBeDefined();
    const owners = findSocketOwners(new Set([inode as number]));
    expect(owners.get(inode as number)?.map((o) => o.pid)).toEqual([process.pid]);
  });
});

function socketInodes(): number[] {
  const dir = `/proc/${process.pid}/fd`;
  return readdirSync(dir)
    .map((fd) => {
      try {
        return /^socket:\[(\d+)\]$/.exec(readlinkSync(join(dir, fd)))?.[1];
      } catch {
        return undefined;
      }
    })
    .filter((i): i is string => i !== undefined)
    .map(Number);
}

import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SynqError } from "../../../src/errors.js";
import { readSockets } from "../../../src/status/read-sockets.js";
import { SockDiagUnavailable } from "../../../src/system/sock-diag.js";

// Which reader runs is the decision under test: both readers are replaced by recorders.
const withNetns = vi.hoisted(() => vi.fn());
const readSocketsWithSs = vi.hoisted(() => vi.fn());
vi.mock("../../../src/system/enter-netns.js", () => ({ withNetns }));
vi.mock("../../../src/status/read-sockets-ss.js", () => ({ readSocketsWithSs }));

const here = { name: "", path: null };
const viaSs = { listeners: [], synRecv: [{ local: { address: "ss" }, count: 1 }] };
const emptyDump = { listeners: [], synRecv: [] };

describe("readSockets: sock_diag first, ss where sock_diag cannot be used", () => {
  afterEach(() => {
    vi.clearAllMocks();
    delete process.env.SYNQ_SOCKETS;
  });

  it("reads over sock_diag when it works, without running ss", async () => {
    withNetns.mockReturnValue(emptyDump);
    expect(await readSockets(here)).toEqual({ listeners: [], synRecv: [] });
    expect(readSocketsWithSs).not.toHaveBeenCalled();
  });

  it("falls back to ss when the kernel or platform has no sock_diag", async () => {
    withNetns.mockImplementation(() => {
      throw new SockDiagUnavailable("no tcp_diag");
    });
    readSocketsWithSs.mockResolvedValue(viaSs);
    expect(await readSockets(here)).toBe(viaSs);
  });

  it("does not hide other failures behind ss (a refused namespace stays an error)", async () => {
    const refused = new SynqError("permission", "entering network namespace x was refused");
    withNetns.mockImplementation(() => {
      throw refused;
    });
    await expect(readSockets({ name: "x", path: "/run/netns/x" })).rejects.toBe(refused);
    expect(readSocketsWithSs).not.toHaveBeenCalled();
  });

  it("reads with ss only when SYNQ_SOCKETS=ss asks for it", async () => {
    process.env.SYNQ_SOCKETS = "ss";
    readSocketsWithSs.mockResolvedValue(viaSs);
    expect(await readSockets(here)).toBe(viaSs);
    expect(withNetns).not.toHaveBeenCalled();
  });
});

/** This process's sockets: inode → fd, as /proc shows them. */
function ownSockets(): Map<number, number> {
  const sockets = new Map<number, number>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const link = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (link) sockets.set(Number(link[1]), Number(fd));
    } catch {
      // the fd readdirSync itself had open
    }
  }
  return sockets;
}

/** A listener of this process's, with its socket inode and fd. */
async function ownListener() {
  const before = ownSockets();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  for (const [inode, fd] of ownSockets()) {
    if (!before.has(inode)) return { server, inode, fd };
  }
  server.close();
  throw new Error("the new listener's socket was not found in /proc/self/fd");
}

describe("readSockets: the listeners' owners", () => {
  const listenerWith = (inode: number) => ({
    local: { address: "127.0.0.1", port: 1, device: null, family: "inet" },
    acceptQueue: 0,
    backlog: 1,
    owners: [],
    drops: 0,
    inode,
    uid: 0,
    v6only: null,
  });
  const command = readFileSync("/proc/self/comm", "utf8").trim();
  afterEach(() => vi.clearAllMocks());

  it("come from the scan started before the dump, when one is given", async () => {
    const calls: string[] = [];
    withNetns.mockImplementation(() => {
      calls.push("dump");
      return { listeners: [listenerWith(4242)], synRecv: [] };
    });
    const scan = () => {
      calls.push("scan");
      return Promise.resolve(Float64Array.of(process.pid, 7, 4242, process.pid, 9, 1111));
    };
    const reading = await readSockets(here, scan);
    expect(calls).toEqual(["scan", "dump"]);
    expect(reading.listeners[0]?.owners).toEqual([{ command, pid: process.pid, fd: 7 }]);
  });

  it("come from a scan on this thread when the other one fails", async () => {
    const { server, inode, fd } = await ownListener();
    try {
      withNetns.mockReturnValue({ listeners: [listenerWith(inode)], synRecv: [] });
      const reading = await readSockets(here, () => Promise.reject(new Error("no thread")));
      expect(reading.listeners[0]?.owners).toEqual([{ command, pid: process.pid, fd }]);
    } finally {
      server.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { traceDropSchema, traceSummarySchema } from "../../../src/model/trace.js";
import type { ListenerKey, RawEvent, RemoteKey } from "../../../src/trace/event-layout.js";
import {
  dropRecord,
  type Naming,
  summarizeListeners,
  summarizePeaks,
  summarizeRemotes,
  totalsByReason,
} from "../../../src/trace/records.js";

const naming: Naming = {
  netnsName: (ino) => (ino === 100 ? "web" : null),
  owners: (ino) => (ino === 7 ? [{ pid: 42, command: "nginx" }] : []),
};

const event: RawEvent = {
  tsNs: 1n,
  sockIno: 7,
  listenFamily: 2,
  listenV6only: false,
  listenAddress: "127.0.0.1",
  listenPort: 1234,
  pktFamily: 2,
  dstAddress: "192.0.2.5",
  dstPort: 80,
  srcAddress: "10.0.0.1",
  srcPort: 40000,
  netnsIno: 100,
  acceptQueue: 5,
  acceptQueueMax: 4,
  synQueue: 0,
  reason: "accept-queue-full",
  hook: "tcp_conn_request",
  syncookies: 1,
};

describe("drop records", () => {
  it("carry the listener, the real destination, the remote, netns name and owner", () => {
    const d = dropRecord(event, 1_700_000_000_000_000, naming);
    expect(traceDropSchema.parse(d)).toEqual(d);
    expect(d).toMatchObject({
      timeUs: 1_700_000_000_000_000,
      listener: {
        address: "127.0.0.1",
        port: 1234,
        family: "inet",
        socketInode: 7,
        processes: [{ pid: 42, command: "nginx" }],
      },
      destination: { address: "192.0.2.5", port: 80 },
      remote: { address: "10.0.0.1", port: 40000 },
      netns: { inode: 100, name: "web" },
    });
    expect(dropRecord({ ...event, netnsIno: 5, sockIno: 0 }, 1, naming)).toMatchObject({
      netns: { inode: 5, name: null },
      listener: { processes: [] },
    });
  });

  it("name an IPv6 listener without IPV6_V6ONLY dual, as status does", () => {
    const v6 = { ...event, listenFamily: 10, listenAddress: "::" };
    expect(dropRecord({ ...v6, listenV6only: false }, 1, naming).listener.family).toBe("dual");
    expect(dropRecord({ ...v6, listenV6only: true }, 1, naming).listener.family).toBe("inet6");
  });
});

describe("summary", () => {
  const reasons = ["accept-queue-full", "accept-queue-full-ack", "syn-queue-full"] as const;
  const id = ({ reason: _r, ...rest }: ListenerKey) => rest;
  const lk = (over: Partial<ListenerKey>): ListenerKey => ({
    sockIno: 7,
    family: 2,
    v6only: false,
    address: "127.0.0.1",
    port: 1234,
    netnsIno: 100,
    reason: "accept-queue-full",
    ...over,
  });

  it("names a dual-stack listener dual and keeps an IPv6-only one on the same port apart", () => {
    const v6 = { family: 10, address: "::", port: 443 };
    const listeners = summarizeListeners(
      [
        { key: lk({ ...v6, sockIno: 1, v6only: false }), count: 2 },
        { key: lk({ ...v6, sockIno: 1, v6only: false, reason: "syn-queue-full" }), count: 1 },
        { key: lk({ ...v6, sockIno: 2, v6only: true }), count: 1 },
      ],
      [...reasons],
      naming,
    );
    expect(listeners.map((l) => [l.listener.family, l.total])).toEqual([
      ["dual", 3],
      ["inet6", 1],
    ]);
  });

  it("totals per listener, largest first, every traced reason present", () => {
    const listeners = summarizeListeners(
      [
        { key: lk({}), count: 3 },
        { key: lk({ reason: "accept-queue-full-ack" }), count: 2 },
        { key: lk({ sockIno: 8, port: 8080, address: "0.0.0.0" }), count: 9 },
      ],
      [...reasons],
      naming,
    );
    expect(listeners.map((l) => [l.listener.port, l.total])).toEqual([
      [8080, 9],
      [1234, 5],
    ]);
    expect(listeners[1]?.counts).toEqual({
      "accept-queue-full": 3,
      "accept-queue-full-ack": 2,
      "syn-queue-full": 0,
    });
    expect(listeners[1]?.listener.processes).toEqual([{ pid: 42, command: "nginx" }]);
  });

  it("totals per remote /24 and /64", () => {
    const rk = (family: number, prefix: number[], reason: RemoteKey["reason"]): RemoteKey => ({
      family,
      prefix: new Uint8Array(prefix),
      netnsIno: 100,
      reason,
    });
    const remotes = summarizeRemotes(
      [
        { key: rk(2, [10, 0, 0], "accept-queue-full"), count: 4 },
        { key: rk(2, [10, 0, 0], "syn-queue-full"), count: 1 },
        { key: rk(10, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0], "accept-queue-full"), count: 6 },
      ],
      [...reasons],
      naming,
    );
    expect(remotes.map((r) => [r.prefix, r.family, r.total])).toEqual([
      ["2001:db8::/64", "inet6", 6],
      ["10.0.0.0/24", "inet", 5],
    ]);
  });

  it("reads the totals array by reason value, only for traced reasons", () => {
    expect(
      totalsByReason([0, 11, 12, 13, 14, 0, 0, 0], ["accept-queue-full", "cookie-sent"]),
    ).toEqual({ "accept-queue-full": 11, "cookie-sent": 14 });
  });

  it("lists peaks deepest first, named like the drop tables, with the limit seen", () => {
    const peaks = summarizePeaks(
      [
        { key: id(lk({})), depth: 3, max: 4 },
        {
          key: id(lk({ sockIno: 8, port: 8080, address: "0.0.0.0", netnsIno: 5 })),
          depth: 9,
          max: 8,
        },
        { key: id(lk({ family: 10, address: "::", port: 443, sockIno: 9 })), depth: 3, max: 128 },
      ],
      naming,
    );
    expect(
      peaks.map((p) => [p.listener.address, p.listener.port, p.acceptQueuePeak, p.acceptQueueMax]),
    ).toEqual([
      ["0.0.0.0", 8080, 9, 8],
      ["::", 443, 3, 128],
      ["127.0.0.1", 1234, 3, 4],
    ]);
    expect(peaks[2]).toMatchObject({
      listener: { family: "inet", socketInode: 7, processes: [{ pid: 42, command: "nginx" }] },
      netns: { inode: 100, name: "web" },
    });
    expect(peaks[0]?.netns).toEqual({ inode: 5, name: null });
    expect(peaks[1]?.listener.family).toBe("dual");
  });

  it("fits the summary schema", () => {
    expect(() =>
      traceSummarySchema.parse({
        schemaVersion: 1,
        type: "summary",
        strategy: "cgroup",
        durationSeconds: 1.5,
        totals: totalsByReason([0, 1, 0, 0, 0, 0, 0, 0], [...reasons]),
        listeners: summarizeListeners([{ key: lk({}), count: 1 }], [...reasons], naming),
        remotes: [],
        peaks: summarizePeaks([{ key: id(lk({})), depth: 2, max: 1 }], naming),
        events: { delivered: 1, lost: 0, notPrinted: 0 },
        unattributed: { listeners: 0, remotes: 0 },
      }),
    ).not.toThrow();
  });
});

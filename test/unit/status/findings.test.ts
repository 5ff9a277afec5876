import { describe, expect, it } from "vitest";
import type { Counter, Listener } from "../../../src/model/status.js";
import { failsCheck, findProblems } from "../../../src/status/findings.js";

function listener(over: Partial<Listener> = {}): Listener {
  return {
    netns: "",
    local: "0.0.0.0:80",
    address: "0.0.0.0",
    port: 80,
    family: "inet",
    device: null,
    processes: [{ command: "nginx", pid: 1, fd: 6 }],
    inode: 1,
    acceptQueue: { depth: 0, backlog: 511, fillPercent: 0 },
    synQueue: { depth: 0, limit: 512, fillPercent: 0, sharedWith: 0 },
    drops: 0,
    dropsPerSecond: null,
    ...over,
  };
}

const healthySysctls = new Map<string, number | null>([
  ["net.core.somaxconn", 4096],
  ["net.ipv4.tcp_syncookies", 1],
  ["net.ipv4.tcp_timestamps", 1],
  ["net.ipv4.tcp_abort_on_overflow", 0],
]);

function codes(opts: {
  listeners?: Listener[];
  sysctls?: [string, number][];
  counters?: Counter[];
  interval?: number | null;
}) {
  const sysctls = new Map(healthySysctls);
  for (const [k, v] of opts.sysctls ?? []) sysctls.set(k, v);
  return findProblems({
    netns: "",
    sysctls,
    listeners: opts.listeners ?? [listener()],
    counters: opts.counters ?? [],
    intervalSeconds: opts.interval ?? null,
  }).map((f) => `${f.severity}:${f.code}`);
}

const counter = (name: string, value: number, perSecond: number | null = null): Counter => ({
  name,
  value,
  perSecond,
  meaning: "",
});

describe("findProblems", () => {
  it("finds nothing for a healthy listener and sane sysctls", () => {
    expect(codes({})).toEqual([]);
  });

  it("flags a full accept queue as critical and a nearly full one as a warning", () => {
    expect(
      codes({ listeners: [listener({ acceptQueue: { depth: 6, backlog: 5, fillPercent: 100 } })] }),
    ).toContain("critical:accept-queue-full");
    expect(
      codes({
        listeners: [listener({ acceptQueue: { depth: 9, backlog: 10, fillPercent: 81.8 } })],
      }),
    ).toEqual(["warning:accept-queue-near-full"]);
    expect(
      codes({
        listeners: [listener({ acceptQueue: { depth: 8, backlog: 10, fillPercent: 72.7 } })],
      }),
    ).toEqual([]);
  });

  it("flags past drops as a warning and current drops as critical", () => {
    expect(codes({ listeners: [listener({ drops: 3 })] })).toEqual(["warning:listener-dropped"]);
    expect(
      codes({ listeners: [listener({ drops: 3, dropsPerSecond: 1.5 })], interval: 1 }),
    ).toEqual(["critical:listener-dropping"]);
    expect(codes({ listeners: [listener({ drops: 3, dropsPerSecond: 0 })], interval: 1 })).toEqual(
      [],
    );
  });

  it("flags a backlog equal to somaxconn: info when idle, warning under pressure", () => {
    const capped = { acceptQueue: { depth: 0, backlog: 4096, fillPercent: 0 } };
    expect(codes({ listeners: [listener(capped)] })).toEqual(["info:backlog-capped"]);
    expect(codes({ listeners: [listener({ ...capped, drops: 2 })] })).toEqual([
      "warning:listener-dropped",
      "warning:backlog-capped",
    ]);
  });

  it("flags SYN queues near and at their limit, but not under syncookies=2", () => {
    const near = listener({
      synQueue: { depth: 450, limit: 512, fillPercent: 87.9, sharedWith: 0 },
    });
    const full = listener({
      synQueue: { depth: 512, limit: 512, fillPercent: 100, sharedWith: 0 },
    });
    expect(codes({ listeners: [near] })).toEqual(["warning:syn-queue-near-full"]);
    expect(codes({ listeners: [full] })).toEqual(["critical:syn-queue-full"]);
    expect(codes({ listeners: [full], sysctls: [["net.ipv4.tcp_syncookies", 2]] })).toEqual([]);
  });

  it("flags risky sysctls", () => {
    expect(codes({ sysctls: [["net.ipv4.tcp_syncookies", 0]] })).toEqual([
      "warning:syncookies-disabled",
    ]);
    expect(codes({ sysctls: [["net.ipv4.tcp_timestamps", 0]] })).toEqual([
      "warning:timestamps-disabled",
    ]);
    expect(codes({ sysctls: [["net.ipv4.tcp_abort_on_overflow", 1]] })).toEqual([
      "warning:abort-on-overflow",
    ]);
  });

  it("reports cookies sent in the past as info and cookies being sent now as a warning", () => {
    expect(codes({ counters: [counter("TcpExt.SyncookiesSent", 7)] })).toEqual([
      "info:syncookies-sent",
    ]);
    expect(codes({ counters: [counter("TcpExt.SyncookiesSent", 7, 0)], interval: 1 })).toEqual([]);
    expect(codes({ counters: [counter("TcpExt.SyncookiesSent", 70, 3)], interval: 1 })).toEqual([
      "warning:syncookies-sending",
    ]);
  });

  it("reports namespace-wide overflow and SYN-queue drop rates as critical", () => {
    const counters = [
      counter("TcpExt.ListenOverflows", 10, 2),
      counter("TcpExt.TCPReqQFullDrop", 5, 1),
    ];
    expect(codes({ counters, interval: 1 })).toEqual([
      "critical:listen-overflows",
      "critical:syn-queue-drops",
    ]);
  });

  it("orders by severity and lets only warnings and worse fail --check", () => {
    const f = findProblems({
      netns: "",
      sysctls: new Map([...healthySysctls, ["net.ipv4.tcp_syncookies", 0]]),
      listeners: [listener({ acceptQueue: { depth: 6, backlog: 5, fillPercent: 100 } })],
      counters: [counter("TcpExt.SyncookiesSent", 1)],
      intervalSeconds: null,
    });
    expect(f.map((x) => x.severity)).toEqual(["critical", "warning", "info"]);
    expect(f.map(failsCheck)).toEqual([true, true, false]);
  });
});

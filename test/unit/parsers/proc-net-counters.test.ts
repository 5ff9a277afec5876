import { describe, expect, it } from "vitest";
import { parseProcNetCounters } from "../../../src/parsers/proc-net-counters.js";
import { type Capture, capturesOf, parseNstat } from "../../helpers/fixtures.js";

function parsedAndNstat(capture: Capture) {
  const groups = {
    ...parseProcNetCounters(capture.read("proc/net/netstat"), "netstat"),
    ...parseProcNetCounters(capture.read("proc/net/snmp"), "snmp"),
  };
  return { groups, nstat: parseNstat(capture.read("nstat-az.txt")) };
}

// In these scenarios nothing is in flight, so nstat and the files were read at the same state.
describe.each([...capturesOf("cookies"), ...capturesOf("empty")])(
  "parseProcNetCounters on $label",
  (capture) => {
    it("agrees with nstat -az on every TcpExt and Tcp counter", () => {
      const { groups, nstat } = parsedAndNstat(capture);
      let compared = 0;
      for (const group of ["TcpExt", "Tcp"]) {
        for (const [name, value] of Object.entries(groups[group] ?? {})) {
          const fromNstat = nstat.get(`${group}${name}`);
          if (fromNstat === undefined) continue; // nstat omits some gauges (e.g. MaxConn -1)
          expect(Number(value), `${group}${name}`).toBe(fromNstat);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(50);
    });
  },
);

// "busy" keeps retransmitting SYN-ACKs between the two reads: compare the settled counters.
const SETTLED = [
  "ListenOverflows",
  "ListenDrops",
  "SyncookiesSent",
  "SyncookiesFailed",
  "TCPReqQFullDrop",
];

describe.each(capturesOf("busy"))("parseProcNetCounters on $label", (capture) => {
  it("agrees with nstat -az on the listen-drop counters", () => {
    const { groups, nstat } = parsedAndNstat(capture);
    for (const name of SETTLED) {
      expect(Number(groups.TcpExt?.[name]), name).toBe(nstat.get(`TcpExt${name}`));
    }
  });
});

describe.each(capturesOf("cookies"))("cookie counters on $label", (capture) => {
  it("shows the 5 cookies the scenario made the kernel send", () => {
    const g = parseProcNetCounters(capture.read("proc/net/netstat"), "netstat");
    expect(g.TcpExt?.SyncookiesSent).toBe(5n);
  });
});

describe.each(capturesOf("busy"))("overflow counters on $label", (capture) => {
  it("shows accept-queue overflows", () => {
    const g = parseProcNetCounters(capture.read("proc/net/netstat"), "netstat");
    expect(g.TcpExt?.ListenOverflows).toBeGreaterThan(0n);
    expect(g.TcpExt?.ListenDrops).toBeGreaterThanOrEqual(g.TcpExt?.ListenOverflows ?? 0n);
  });
});

describe("parseProcNetCounters", () => {
  it("keeps unknown counters and leaves missing ones absent", () => {
    const g = parseProcNetCounters("TcpExt: Brand New\nTcpExt: 1 18446744073709551615\n", "x");
    expect(g.TcpExt).toEqual({ Brand: 1n, New: 18446744073709551615n });
    expect(g.TcpExt?.ListenDrops).toBeUndefined();
  });

  it("parses both files concatenated", () => {
    const g = parseProcNetCounters("TcpExt: A\nTcpExt: 1\nTcp: B C\nTcp: 2 -1\n", "x");
    expect(g).toEqual({ TcpExt: { A: 1n }, Tcp: { B: 2n, C: -1n } });
  });

  it("returns nothing for empty input", () => {
    expect(parseProcNetCounters("", "x")).toEqual({});
  });

  it.each([
    ["TcpExt: A B\nTcpExt: 1\n", /\/proc\/net\/netstat line 2 .*2 names but 1 values/],
    ["TcpExt: A\nTcpExt: x\n", /line 2 .*A is not a number/],
    ["TcpExt: A\n", /line 1 .*header without values/],
    ["TcpExt: A\nTcp: B\nTcp: 1\n", /line 1 .*header without values/],
    ["garbage\n", /line 1 .*expected `Group: fields`/],
  ])("rejects %j", (text, message) => {
    expect(() => parseProcNetCounters(text, "/proc/net/netstat")).toThrow(message);
  });
});

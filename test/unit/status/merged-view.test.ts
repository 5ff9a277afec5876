import { describe, expect, it } from "vitest";
import { COUNTERS } from "../../../src/kernel/counter-catalog.js";
import type { Listener, NamespaceStatus, Status } from "../../../src/model/status.js";
import {
  groupFindings,
  MERGED_COUNTERS,
  mergedCounters,
  mergedListeners,
  mergedSysctls,
  mergedView,
  viewOrder,
} from "../../../src/status/merged-view.js";
import { type FleetOptions, fleetStatus } from "../../helpers/fleet-status.js";

function fleet(opts: Partial<FleetOptions> = {}): Status {
  return fleetStatus({ namespaces: 20, listenersPerNamespace: 2, ...opts });
}

function ns(status: Status, netns: string): NamespaceStatus {
  const found = status.namespaces.find((n) => n.netns === netns);
  if (!found) throw new Error(`no namespace ${netns}`);
  return found;
}

function listenerOf(status: Status, netns: string, port: number): Listener {
  const found = ns(status, netns).listeners.find((l) => l.port === port);
  if (!found) throw new Error(`no listener on ${port} in ${netns}`);
  return found;
}

const place = (l: Listener) => `${l.netns}/${l.port}`;

function listeners(status: Status, top: number) {
  return mergedListeners(viewOrder(status.namespaces), status.intervalSeconds !== null, top);
}

describe("viewOrder", () => {
  it("puts synq's own namespace first, then names with numbers compared as numbers", () => {
    const names = ["cust-10", "pid:7", "", "cust-2", "alpha", "cust-1"];
    const status = { namespaces: names.map((netns) => ({ netns })) } as unknown as Status;
    expect(viewOrder(status.namespaces).map((n) => n.netns)).toEqual([
      "",
      "alpha",
      "cust-1",
      "cust-2",
      "cust-10",
      "pid:7",
    ]);
  });
});

describe("mergedListeners", () => {
  const status = fleet({ overflowing: ["cust-3", "cust-12", "cust-7"] });

  it("lists the listeners with findings first, most drops first, and only those", () => {
    const view = listeners(status, 20);
    // Every namespace has 0.0.0.0:80: a finding counts for its own namespace only.
    expect(view.problems.map(place)).toEqual(["cust-7/80", "cust-12/80", "cust-3/80"]);
  });

  it("then the healthy ones by namespace, port and address, at most `top`", () => {
    const view = listeners(status, 5);
    expect(view.healthy.map(place)).toEqual([
      "/80",
      "/8001",
      "cust-1/80",
      "cust-1/8001",
      "cust-2/80",
    ]);
    expect(view.leftOut).toBe(40 - 3 - 5);
    // Left out: cust-2's 8001 and cust-3 … cust-19 (cust-3 still has its healthy 8001).
    expect(view.leftOutNamespaces).toBe(18);
  });

  it("shows every healthy listener with top 0, and never cuts a problem", () => {
    const all = listeners(status, 0);
    expect(all.healthy).toHaveLength(37);
    expect(all.leftOut).toBe(0);
    expect(all.leftOutNamespaces).toBe(0);
    const one = listeners(status, 1);
    expect(one.problems).toHaveLength(3);
    expect(one.healthy).toHaveLength(1);
  });

  it("orders by the worst finding before drops: critical, warning, then drops alone; info alone is healthy", () => {
    // somaxconn 511 = the listeners' backlog: backlog-capped, info while the queue is idle.
    const s = fleet({
      overflowing: ["cust-3"],
      sysctls: { "cust-5": { "net.core.somaxconn": 511 } },
    });
    // Drops without a finding of their own (a finding about another listener does not count).
    const dropped = listenerOf(s, "cust-9", 8001);
    dropped.drops = 7;
    const warned = listenerOf(s, "cust-11", 8001);
    ns(s, "cust-11").findings.push({
      severity: "warning",
      code: "accept-queue-near-full",
      netns: "cust-11",
      listener: warned.local,
      message: "",
      fix: "",
    });
    const view = listeners(s, 20);
    expect(view.problems.map(place)).toEqual(["cust-3/80", "cust-11/8001", "cust-9/8001"]);
    // cust-5's backlog-capped listeners (info) are healthy ones, shown while there is room.
    expect(view.healthy.map(place)).toEqual(expect.arrayContaining(["cust-5/80", "cust-5/8001"]));
  });

  it("with --interval, orders by drops per second before drops", () => {
    const s = fleet({ overflowing: ["cust-3", "cust-4"], intervalSeconds: 1 });
    // cust-4 dropped more in all, cust-3 drops faster now.
    listenerOf(s, "cust-3", 80).dropsPerSecond = 50;
    const view = listeners(s, 20);
    expect(view.problems.map(place)).toEqual(["cust-3/80", "cust-4/80"]);
    expect(listenerOf(s, "cust-4", 80).drops).toBeGreaterThan(
      listenerOf(s, "cust-3", 80).drops ?? 0,
    );
  });

  it("counts a listener that is dropping now as a problem even without a finding", () => {
    const s = fleet({ intervalSeconds: 1 });
    listenerOf(s, "cust-6", 8001).dropsPerSecond = 2;
    expect(listeners(s, 20).problems.map(place)).toEqual(["cust-6/8001"]);
  });
});

describe("mergedCounters", () => {
  it("lists the namespaces with non-zero counters, most ListenOverflows first", () => {
    const s = fleet({ overflowing: ["cust-3", "cust-12", "cust-7"] });
    const view = mergedCounters(viewOrder(s.namespaces), false, 20);
    expect(view.rows.map((r) => r.netns)).toEqual(["cust-7", "cust-12", "cust-3"]);
    expect(view.rows[0]?.counters[0]).toEqual({ value: 300, perSecond: null });
    expect(view.leftOut).toBe(0);
    expect(view.quiet).toBe(17);
  });

  it("keeps at most `top` rows and counts the rest; 0 keeps all", () => {
    const s = fleet({ overflowing: ["cust-3", "cust-12", "cust-7"] });
    const two = mergedCounters(viewOrder(s.namespaces), false, 2);
    expect(two.rows.map((r) => r.netns)).toEqual(["cust-7", "cust-12"]);
    expect(two.leftOut).toBe(1);
    expect(two.quiet).toBe(17);
    expect(mergedCounters(viewOrder(s.namespaces), false, 0).rows).toHaveLength(3);
  });

  it("keeps a counter the kernel lacks as null, in MERGED_COUNTERS order", () => {
    const s = fleet({ overflowing: ["cust-3"] });
    const lacking = ns(s, "cust-3").counters.find((c) => c.name === "TcpExt.TCPReqQFullDrop");
    if (!lacking) throw new Error("no TCPReqQFullDrop");
    lacking.value = null;
    const [row] = mergedCounters(viewOrder(s.namespaces), false, 20).rows;
    expect(row?.counters.map((c) => c.value)).toEqual([100, 100, null, 0, 0, 0]);
  });

  it("with --interval, lists only the namespaces whose counters moved", () => {
    const s = fleet({ overflowing: ["cust-3", "cust-4"], intervalSeconds: 1 });
    // Non-zero since boot but still: not listed.
    const still = ns(s, "cust-8").counters.find((c) => c.name === "TcpExt.SyncookiesSent");
    if (!still) throw new Error("no SyncookiesSent");
    still.value = 5;
    still.perSecond = 0;
    const fast = ns(s, "cust-3").counters.find((c) => c.name === "TcpExt.ListenOverflows");
    if (!fast) throw new Error("no ListenOverflows");
    fast.perSecond = 40;
    const view = mergedCounters(viewOrder(s.namespaces), true, 20);
    // cust-3 overflows faster now, cust-4 has more overflows in all.
    expect(view.rows.map((r) => r.netns)).toEqual(["cust-3", "cust-4"]);
    expect(view.quiet).toBe(18);
  });

  it("shows the counters about listen-queue trouble, all from the catalogue", () => {
    const names = COUNTERS.map((c) => `${c.group}.${c.name}`);
    for (const name of MERGED_COUNTERS) expect(names).toContain(name);
  });
});

describe("mergedSysctls", () => {
  it("gives each sysctl's most common value and the namespaces that differ, in view order", () => {
    const s = fleet({
      sysctls: {
        "cust-9": { "net.core.somaxconn": 256 },
        "cust-4": { "net.core.somaxconn": 128, "net.ipv4.tcp_migrate_req": null },
      },
    });
    const merged = mergedSysctls(viewOrder(s.namespaces));
    expect(merged.map((m) => m.key)).toEqual(ns(s, "").sysctls.map((x) => x.key));
    const somaxconn = merged.find((m) => m.key === "net.core.somaxconn");
    expect(somaxconn).toEqual({
      key: "net.core.somaxconn",
      value: 4096,
      meaning: "listen() backlogs are capped at 4096",
      outliers: [
        { netns: "cust-4", value: 128 },
        { netns: "cust-9", value: 256 },
      ],
    });
    expect(merged.find((m) => m.key === "net.ipv4.tcp_migrate_req")?.outliers).toEqual([
      { netns: "cust-4", value: null },
    ]);
    const same = merged.filter((m) => m.outliers.length === 0).map((m) => m.key);
    expect(same).toHaveLength(merged.length - 2);
  });

  it("takes the value met first when two are as common", () => {
    const s = fleetStatus({
      namespaces: 2,
      listenersPerNamespace: 1,
      sysctls: { "cust-1": { "net.ipv4.tcp_ecn": 0 } },
    });
    const ecn = mergedSysctls(viewOrder(s.namespaces)).find((m) => m.key === "net.ipv4.tcp_ecn");
    expect(ecn?.value).toBe(2);
    expect(ecn?.outliers).toEqual([{ netns: "cust-1", value: 0 }]);
  });
});

describe("groupFindings", () => {
  it("groups by severity and code, most severe first, then the most frequent", () => {
    const s = fleet({
      overflowing: ["cust-3", "cust-12", "cust-5"],
      // In cust-5 the overflowing listener's capped backlog is a warning, the idle one's info.
      sysctls: { "cust-5": { "net.core.somaxconn": 511 }, "cust-6": { "net.core.somaxconn": 511 } },
    });
    const groups = groupFindings(viewOrder(s.namespaces));
    expect(groups.map((g) => [g.severity, g.code, g.findings.length])).toEqual([
      ["critical", "accept-queue-full", 3],
      ["warning", "listener-dropped", 3],
      ["warning", "backlog-capped", 1],
      ["info", "backlog-capped", 3],
    ]);
    const full = groups[0]?.findings.map((f) => `${f.netns} ${f.listener}`);
    expect(full).toEqual(["cust-3 0.0.0.0:80", "cust-5 0.0.0.0:80", "cust-12 0.0.0.0:80"]);
  });
});

describe("mergedView", () => {
  it("counts namespaces and listeners, and applies `top` to listeners and counters", () => {
    const s = fleet({ overflowing: ["cust-3", "cust-12", "cust-7"] });
    const view = mergedView(s, 2);
    expect(view.namespaces).toBe(20);
    expect(view.listenerCount).toBe(40);
    expect(view.listeners.healthy).toHaveLength(2);
    expect(view.counters.rows).toHaveLength(2);
    expect(view.findings).toHaveLength(2);
    expect(view.sysctls.every((m) => m.outliers.length === 0)).toBe(true);
  });

  it("lists namespaces in view order whatever order the status has them in", () => {
    const s = fleet({ overflowing: ["cust-3", "cust-12"], intervalSeconds: 1 });
    // Both drop 10 per second and have dropped as often: a tie, left in view order.
    listenerOf(s, "cust-12", 80).drops = 100;
    const forward = mergedView(s, 4);
    s.namespaces.reverse();
    const backward = mergedView(s, 4);
    expect(backward.listeners.problems.map(place)).toEqual(["cust-3/80", "cust-12/80"]);
    expect(backward.listeners.problems.map(place)).toEqual(forward.listeners.problems.map(place));
    expect(backward.listeners.healthy.map(place)).toEqual([
      "/80",
      "/8001",
      "cust-1/80",
      "cust-1/8001",
    ]);
    // Same rates; cust-12 has overflowed more in all.
    expect(backward.counters.rows.map((r) => r.netns)).toEqual(["cust-12", "cust-3"]);
    expect(backward.counters).toEqual(forward.counters);
    expect(backward.findings[0]?.findings.map((f) => f.netns)).toEqual(["cust-3", "cust-12"]);
  });
});

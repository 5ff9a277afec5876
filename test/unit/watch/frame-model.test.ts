import { describe, expect, it } from "vitest";
import type { Status } from "../../../src/model/status.js";
import type { TraceDrop } from "../../../src/model/trace.js";
import {
  advance,
  applyKey,
  buildFrame,
  DROP_LOG_SIZE,
  historyPoints,
  initialState,
  listenerKey,
  problemRows,
  type TickInput,
  TRACKED_LISTENERS,
  type WatchContext,
  type WatchState,
  watchingText,
} from "../../../src/watch/frame-model.js";
import { fleetStatus } from "../../helpers/fleet-status.js";
import { traceCaptures } from "../../helpers/trace-replay.js";

const ctx: WatchContext = {
  host: "h",
  intervalSeconds: 1,
  allNetns: false,
  tracing: { on: true, strategy: "cgroup", hook: "cgroup /sys/fs/cgroup" },
  filterDrops: false,
};

function tick(status: Status, extra: Partial<TickInput> = {}): TickInput {
  return {
    status,
    rows: problemRows(status),
    drops: [],
    lost: 0,
    peaks: null,
    at: 1_000,
    ...extra,
  };
}

/** Drop records synq trace-drops printed on a real kernel (fixtures/trace). */
function capturedDrops(): TraceDrop[] {
  return traceCaptures().flatMap((c) =>
    c.cliJsonl
      .split("\n")
      .filter((l) => l.includes('"type":"drop"'))
      .map((l) => JSON.parse(l) as TraceDrop),
  );
}

const one = fleetStatus({
  namespaces: 1,
  listenersPerNamespace: 3,
  overflowing: [""],
  intervalSeconds: 1,
});
const many = fleetStatus({
  namespaces: 4,
  listenersPerNamespace: 2,
  overflowing: ["cust-2"],
  intervalSeconds: 1,
});

function run(state: WatchState, ...statuses: Status[]): WatchState {
  return statuses.reduce((s, st) => advance(s, tick(st), ctx), state);
}

describe("the frame model", () => {
  it("lists the listeners problems first (the merged view's order), with status's rates", () => {
    const f = buildFrame(run(initialState(ctx), one), ctx);
    expect(f.table.rows.map((r) => r.port)).toEqual([80, 8001, 8002]);
    const top = f.table.rows[0];
    expect(top?.dropsPerSecond).toBe(10);
    expect(top?.acceptDepth).toBe(512);
    expect(top?.severity).toBe("critical");
    expect(f.table.selected).toBe(0);
    expect(f.findings.map((x) => x.code)).toContain("listener-dropping");
    // The namespace's counters as rates, first series ListenOverflows/s.
    expect(f.charts.counters[0]?.title).toBe("ListenOverflows/s");
    expect(f.charts.counters[0]?.values).toEqual([10]);
  });

  it("shows a Netns column only when more than one namespace is watched", () => {
    expect(buildFrame(run(initialState(ctx), one), ctx).table.showNetns).toBe(false);
    const f = buildFrame(run(initialState(ctx), many), ctx);
    expect(f.table.showNetns).toBe(true);
    expect(f.table.rows[0]?.netns).toBe("cust-2");
  });

  it("cycles the sort with s: drops/s, accept fill, SYN fill, SYN-RECV, port, then back", () => {
    let s = run(initialState(ctx), many);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      s = applyKey(s, "sort");
      seen.push(buildFrame(s, ctx).table.sort);
    }
    expect(seen).toEqual(["drops/s", "accept fill", "SYN fill", "SYN-RECV", "port", "problems"]);
    const byPort = buildFrame({ ...s, view: { ...s.view, sort: "port" } }, ctx).table.rows;
    expect(byPort.map((r) => r.port)).toEqual([...byPort.map((r) => r.port)].sort((a, b) => a - b));
  });

  it("moves the selection with ↑/↓ within the rows, and it follows the listener across sorts", () => {
    let s = run(initialState(ctx), many);
    s = applyKey(s, "up");
    expect(buildFrame(s, ctx).table.selected).toBe(0);
    for (let i = 0; i < 100; i++) s = applyKey(s, "down");
    const f = buildFrame(s, ctx);
    expect(f.table.selected).toBe(f.table.rows.length - 1);
    const chosen = f.table.rows[f.table.selected]?.key;
    s = applyKey(s, "sort");
    const g = buildFrame(s, ctx);
    expect(g.table.rows[g.table.selected]?.key).toBe(chosen);
    expect(g.charts.listener).toContain(g.table.rows[g.table.selected]?.local);
  });

  it("charts the selected listener's queues from a bounded history", () => {
    const points = historyPoints(ctx.intervalSeconds);
    let s = initialState(ctx);
    for (let i = 0; i < points + 25; i++) s = advance(s, tick(one), ctx);
    const f = buildFrame(s, ctx);
    expect(f.charts.queue.map((x) => x.title)).toEqual(["accept queue", "backlog", "peak"]);
    expect(f.charts.queue[0]?.values).toHaveLength(points);
    expect(f.charts.queue[0]?.values.at(-1)).toBe(512);
    expect(f.charts.queue[1]?.values.at(-1)).toBe(511);
    // No tracer peaks: the peak series has no value and the column shows none.
    expect(f.charts.queue[2]?.values.every((v) => v === null)).toBe(true);
    expect(f.table.rows[0]?.peakAcceptQueue).toBeNull();
  });

  it("keeps history for at most TRACKED_LISTENERS listeners however many are watched", () => {
    const big = fleetStatus({ namespaces: 100, listenersPerNamespace: 10, intervalSeconds: 1 });
    const s = run(initialState(ctx), big, big);
    expect(s.live.listenerHistory.size).toBe(TRACKED_LISTENERS);
  });

  it("takes the tracer's peaks by socket inode when it gives them", () => {
    const l = one.namespaces[0]?.listeners.find((x) => x.port === 80);
    const peaks = new Map([[l?.inode as number, 513]]);
    const s = advance(initialState(ctx), tick(one, { peaks }), ctx);
    const row = buildFrame(s, ctx).table.rows.find((r) => r.key === listenerKey(l as never));
    expect(row?.peakAcceptQueue).toBe(513);
    expect(buildFrame(s, ctx).charts.queue[2]?.values).toEqual([513]);
  });

  it("gives a listener the tracer saw nothing of since the last tick its sampled depth as peak", () => {
    const s = advance(initialState(ctx), tick(one, { peaks: new Map() }), ctx);
    const rows = buildFrame(s, ctx).table.rows;
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect(r.peakAcceptQueue).toBe(r.acceptDepth);
    expect(rows.some((r) => r.acceptDepth === 0)).toBe(true);
  });

  it("logs drop records newest first, at most DROP_LOG_SIZE, with the lost count", () => {
    const drops = capturedDrops();
    expect(drops.length).toBeGreaterThan(3);
    let s = advance(initialState(ctx), tick(one, { drops: drops.slice(0, 2), lost: 0 }), ctx);
    s = advance(s, tick(one, { drops: drops.slice(2, 3), lost: 7 }), ctx);
    const f = buildFrame(s, ctx);
    expect(f.drops.entries.map((e) => e.timeUs)).toEqual(
      [drops[2], drops[1], drops[0]].map((d) => d?.timeUs),
    );
    expect(f.drops.entries[0]?.reason).toBe(drops[2]?.reason);
    expect(f.drops.lost).toBe(7);
    const flood = Array.from({ length: DROP_LOG_SIZE + 50 }, () => drops[0] as TraceDrop);
    expect(
      buildFrame(advance(s, tick(one, { drops: flood }), ctx), ctx).drops.entries,
    ).toHaveLength(DROP_LOG_SIZE);
  });

  it("shows only the watched namespaces' drops when the tracer sees them all", () => {
    const drops = capturedDrops();
    const names = new Set(drops.map((d) => d.netns.name ?? ""));
    const [keep = ""] = [...names];
    const narrow = { ...ctx, filterDrops: true };
    const sampled = { ...one, namespaces: one.namespaces.map((n) => ({ ...n, netns: keep })) };
    const s = advance(initialState(narrow), tick(sampled, { drops }), narrow);
    const shown = buildFrame(s, narrow).drops.entries;
    expect(shown.length).toBe(drops.filter((d) => (d.netns.name ?? "") === keep).length);
  });

  it("freezes the display on p while sampling goes on, and shows the latest on p again", () => {
    const calm = fleetStatus({ namespaces: 1, listenersPerNamespace: 3, intervalSeconds: 1 });
    let s = run(initialState(ctx), one);
    s = applyKey(s, "pause");
    s = run(s, calm, calm);
    const paused = buildFrame(s, ctx);
    expect(paused.header.paused).toBe(true);
    expect(paused.table.rows[0]?.dropsPerSecond).toBe(10);
    expect(paused.charts.queue[0]?.values).toEqual([512]);
    expect(s.live.ticks).toBe(3);
    s = applyKey(s, "pause");
    const live = buildFrame(s, ctx);
    expect(live.header.paused).toBe(false);
    expect(live.table.rows[0]?.dropsPerSecond).toBe(0);
    expect(live.charts.queue[0]?.values).toEqual([512, 0, 0]);
  });

  it("toggles the help with ?", () => {
    const s = applyKey(initialState(ctx), "help");
    expect(buildFrame(s, ctx).help).toBe(true);
    expect(buildFrame(applyKey(s, "help"), ctx).help).toBe(false);
  });

  it("names the namespaces of the latest sample in the header, as the selection changes", () => {
    const all = { ...ctx, allNetns: true };
    const two = fleetStatus({ namespaces: 2, listenersPerNamespace: 1 });
    const five = fleetStatus({ namespaces: 5, listenersPerNamespace: 1 });
    let s = advance(initialState(all), tick(two), all);
    expect(buildFrame(s, all).header.watching).toBe("all (2)");
    s = advance(s, tick(five), all);
    expect(buildFrame(s, all).header.watching).toBe("all (5)");
    const gone = { ...two, skippedNamespaces: [{ netns: "cust-9", reason: "went away" }] };
    expect(buildFrame(advance(s, tick(gone), all), all).header.watching).toBe("all (3)");
    const named = advance(initialState(ctx), tick(five), ctx);
    expect(buildFrame(named, ctx).header.watching).toBe("(current), cust-1 +3");
    expect(watchingText(["web"], false)).toBe("web");
    expect(watchingText(["", "web", "db"], false)).toBe("(current), web, db");
    expect(watchingText([], false)).toBe("none");
  });

  it("says why there are no live events", () => {
    const off = { ...ctx, tracing: { on: false as const, reason: "--no-trace" } };
    const f = buildFrame(run(initialState(off), one), off);
    expect(f.header.tracing).toBe("no live events: --no-trace");
    expect(f.drops).toMatchObject({ tracing: false, reason: "--no-trace" });
  });

  it("shows each SYN sysctl once, marked when namespaces differ", () => {
    const mixed = fleetStatus({
      namespaces: 3,
      listenersPerNamespace: 1,
      sysctls: { "cust-1": { "net.ipv4.tcp_syncookies": 2 } },
    });
    const f = buildFrame(run(initialState(ctx), mixed), ctx);
    expect(f.header.sysctls).toEqual([
      { name: "somaxconn", value: "4096" },
      { name: "tcp_max_syn_backlog", value: "2048" },
      { name: "syncookies", value: "1*" },
      { name: "synack_retries", value: "5" },
      { name: "abort_on_overflow", value: "0" },
      { name: "timestamps", value: "1" },
    ]);
  });
});

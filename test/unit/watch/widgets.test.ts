import { describe, expect, it } from "vitest";
import type { Status } from "../../../src/model/status.js";
import type { TraceDrop } from "../../../src/model/trace.js";
import {
  advance,
  applyKey,
  buildFrame,
  type Frame,
  initialState,
  problemRows,
  type WatchContext,
} from "../../../src/watch/frame-model.js";
import { layoutBoxes } from "../../../src/watch/layout.js";
import { chartLabel, legendText, lineData } from "../../../src/watch/widgets/charts.js";
import { clockTime, dropLogLines } from "../../../src/watch/widgets/drop-log.js";
import { findingLines } from "../../../src/watch/widgets/findings.js";
import { headerLines } from "../../../src/watch/widgets/header.js";
import { firstVisible, tableLabel, tableLines } from "../../../src/watch/widgets/listener-table.js";
import { escapeTags, tagPalette } from "../../../src/watch/widgets/text.js";
import { fleetStatus } from "../../helpers/fleet-status.js";
import { traceCaptures } from "../../helpers/trace-replay.js";

const ctx: WatchContext = {
  host: "web-1",
  intervalSeconds: 1,
  allNetns: false,
  tracing: { on: true, strategy: "tc", hook: "tcx on lo" },
  filterDrops: false,
};
const plain = tagPalette(false);
const colour = tagPalette(true);

/** Blessed content without its tags, as the terminal shows it. */
const text = (lines: string[]) =>
  lines.map((l) => l.replace(/\{\/?[a-z-]+\}/g, "").replace(/\{open\}/g, "{")).join("\n");

function frameOf(status: Status, drops: TraceDrop[] = [], c = ctx): Frame {
  return buildFrame(
    advance(
      initialState(c),
      { status, rows: problemRows(status), drops, lost: 3, peaks: null, at: 1 },
      c,
    ),
    c,
  );
}

const one = fleetStatus({
  namespaces: 1,
  listenersPerNamespace: 3,
  overflowing: [""],
  intervalSeconds: 1,
});
const many = fleetStatus({
  namespaces: 3,
  listenersPerNamespace: 40,
  overflowing: ["cust-1"],
  intervalSeconds: 1,
});
const drops = traceCaptures().flatMap((c) =>
  c.cliJsonl
    .split("\n")
    .filter((l) => l.includes('"type":"drop"'))
    .map((l) => JSON.parse(l) as TraceDrop),
);

describe("header", () => {
  it("names host, kernel, namespace, interval, the tracing state and the six SYN sysctls at 80 columns", () => {
    const lines = headerLines(frameOf(one), 80, 4);
    expect(lines).toHaveLength(4);
    const shown = text(lines);
    expect(shown).toMatch(
      /^web-1 {2}kernel 6\.18\.44-fc-v1272 {2}netns \(current\) {2}every 1 s\ntracing: tc \(tcx on lo\)\n/,
    );
    for (const s of [
      "somaxconn=4096",
      "tcp_max_syn_backlog=2048",
      "syncookies=1",
      "synack_retries=5",
      "abort_on_overflow=0",
      "timestamps=1",
    ]) {
      expect(shown).toContain(s);
    }
    for (const l of text(lines).split("\n")) expect(l.length).toBeLessThanOrEqual(80);
  });

  it("says PAUSED while paused", () => {
    const s = applyKey(
      advance(
        initialState(ctx),
        { status: one, rows: problemRows(one), drops: [], lost: 0, peaks: null, at: 1 },
        ctx,
      ),
      "pause",
    );
    expect(text(headerLines(buildFrame(s, ctx), 80))).toContain("PAUSED");
  });
});

describe("listener table", () => {
  it("draws status's columns plus Drops/s and Peak within the width, the selected row inverse", () => {
    const lines = tableLines(frameOf(one), 78, 5, plain);
    const shown = text(lines).split("\n");
    expect(shown[0]).toMatch(
      /^Local +Process +Accept q +Fill SYN-RECV SYN lim +Fill Drops Drops\/s Peak$/,
    );
    expect(shown[1]).toMatch(
      /^0\.0\.0\.0:80 +nginx\/1000 +512\/511 +100% +0 +512 +0% +100 +10\/s +-$/,
    );
    for (const l of shown) expect(l.length).toBeLessThanOrEqual(78);
    expect(lines[1]).toMatch(/^\{inverse\}.*\{\/inverse\}$/);
    expect(lines[2]).not.toMatch(/inverse/);
  });

  it("adds the Netns column with several namespaces and keeps the selection in view", () => {
    let s = advance(
      initialState(ctx),
      { status: many, rows: problemRows(many), drops: [], lost: 0, peaks: null, at: 1 },
      ctx,
    );
    for (let i = 0; i < 60; i++) s = applyKey(s, "down");
    const f = buildFrame(s, ctx);
    const lines = tableLines(f, 78, 6, plain);
    expect(text(lines).split("\n")[0]).toMatch(/^Netns +Local/);
    expect(lines).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith("{inverse}"))).toHaveLength(1);
    expect(tableLabel(f)).toBe(" Listeners 61/120 (sort: problems) ");
  });

  it("colours full queues and drops red, and not at all without colours", () => {
    expect(tableLines(frameOf(one), 78, 3, colour)[1]).toContain("{red-fg}");
    expect(tableLines(frameOf(one), 78, 3, plain).join("")).not.toMatch(/-fg\}/);
  });

  it("scrolls so the selected row stays visible", () => {
    expect(firstVisible(0, 100, 10)).toBe(0);
    expect(firstVisible(50, 100, 10)).toBe(45);
    expect(firstVisible(99, 100, 10)).toBe(90);
    expect(firstVisible(3, 5, 10)).toBe(0);
  });
});

describe("drop log", () => {
  it("shows each record's time, reason, listener, remote and process, newest first, and the losses", () => {
    const f = frameOf(one, drops.slice(0, 4));
    const lines = text(dropLogLines(f, 120, 10, plain)).split("\n");
    expect(lines[0]).toBe("3 records lost (ring buffer full; counts stay exact)");
    const newest = drops[3] as TraceDrop;
    expect(lines[1]).toContain(clockTime(newest.timeUs));
    expect(lines[1]).toContain(newest.reason);
    expect(lines[1]).toContain(`${newest.remote.address}`);
    expect(lines[1]).toContain(`:${newest.listener.port}`);
    expect(lines).toHaveLength(5);
  });

  it("says why there are no live events without a tracer", () => {
    const off = { ...ctx, tracing: { on: false as const, reason: "tracing needs root" } };
    expect(text(dropLogLines(frameOf(one, [], off), 60, 5, plain))).toBe(
      "no live events: tracing needs root",
    );
  });

  it("formats the time of day with milliseconds", () => {
    expect(clockTime(Date.UTC(2026, 0, 1, 0, 0, 0, 0) * 1000 + 123_456)).toMatch(
      /^\d\d:\d\d:00\.123$/,
    );
  });
});

describe("findings panel", () => {
  it("lists the findings most severe first, within the box", () => {
    const lines = findingLines(frameOf(one), 60, 5, plain);
    expect(lines[0]).toMatch(/^CRIT 0\.0\.0\.0:80: /);
    expect(text(lines)).toContain("dropping 10.0 SYNs/ACKs per second");
    for (const l of text(lines).split("\n")) expect(l.length).toBeLessThanOrEqual(60);
  });

  it("says so when nothing is wrong", () => {
    const calm = fleetStatus({ namespaces: 1, listenersPerNamespace: 1, intervalSeconds: 1 });
    expect(text(findingLines(frameOf(calm), 60, 5, plain))).toBe("No problems found.");
  });
});

describe("charts", () => {
  it("labels x by seconds before now, leaves out a series with no value, draws missing points as 0", () => {
    const data = lineData(
      [
        { title: "a", values: [1, null, 3] },
        { title: "peak", values: [null, null, null] },
      ],
      2,
    );
    expect(data).toEqual([
      { title: "a", x: ["-4s", "-2s", "0s"], y: [1, 0, 3], style: { line: "yellow" } },
    ]);
  });

  it("draws one point as a flat line, with no colour when colours are off", () => {
    expect(lineData([{ title: "a", values: [5] }], 1, false)).toEqual([
      { title: "a", x: ["-1s", "0s"], y: [5, 5] },
    ]);
  });

  it("names the selected listener and its namespace, and gives each series' latest value", () => {
    const f = frameOf(one);
    expect(chartLabel(f, "queue")).toBe(" 0.0.0.0:80 accept queue ");
    expect(chartLabel(f, "counters")).toBe(" netns (current) per s ");
    expect(legendText(f.charts.queue, false)).toBe("accept queue 512  backlog 511");
  });
});

describe("layout", () => {
  for (const [w, h] of [
    [80, 24],
    [132, 43],
    [200, 60],
  ] as const) {
    it(`fills ${w}×${h} without overlap or gaps`, () => {
      const l = layoutBoxes(w, h);
      expect(l.header.top + l.header.height).toBe(l.table.top);
      expect(l.table.top + l.table.height).toBe(l.queue.top);
      expect(l.queue.top + l.queue.height).toBe(l.drops.top);
      expect(l.drops.top + l.drops.height).toBe(h);
      expect(l.counters.left + l.counters.width).toBe(w);
      expect(l.findings.left + l.findings.width).toBe(w);
      // Room for a line chart (blessed-contrib needs height*4-8 > 0) and for table rows.
      expect(l.queue.height).toBeGreaterThanOrEqual(6);
      expect(l.table.height).toBeGreaterThanOrEqual(5);
      expect(l.drops.height).toBeGreaterThanOrEqual(5);
    });
  }
});

describe("escapeTags", () => {
  it("keeps braces in names from becoming blessed tags", () => {
    expect(escapeTags("a{b}c")).toBe("a{open}b{close}c");
  });
});

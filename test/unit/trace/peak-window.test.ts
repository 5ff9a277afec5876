import { describe, expect, it } from "vitest";
import { PeakWindow } from "../../../src/trace/peak-window.js";

const p = (depth: number, max = 8) => ({ depth, max });
const depths = (m: Map<string, { depth: number }>) =>
  Object.fromEntries([...m].map(([id, v]) => [id, v.depth]));

describe("PeakWindow", () => {
  it("keeps each listener's deepest read of the window", () => {
    const w = new PeakWindow(15_000);
    w.add(1_000, [
      ["a", p(3)],
      ["b", p(1)],
    ]);
    w.add(2_000, [["a", p(7)]]);
    w.add(3_000, [
      ["a", p(2)],
      ["b", p(4)],
    ]);
    expect(depths(w.max(3_000))).toEqual({ a: 7, b: 4 });
  });

  it("forgets reads once they are windowMs old: a burst shows for the window, then goes", () => {
    const w = new PeakWindow(15_000);
    w.add(1_000, [["a", p(9)]]);
    for (let t = 2_000; t <= 15_000; t += 1_000) w.add(t, [["a", p(1)]]);
    expect(depths(w.max(15_999))).toEqual({ a: 9 });
    w.add(16_000, [["a", p(1)]]);
    expect(depths(w.max(16_000))).toEqual({ a: 1 });
    expect(depths(w.max(40_000))).toEqual({});
  });

  it("answers the same to every reader: asking resets nothing", () => {
    const w = new PeakWindow(10_000);
    w.add(500, [["a", p(5, 4)]]);
    const first = w.max(600);
    expect(w.max(700)).toEqual(first);
    expect(w.max(800).get("a")).toEqual({ depth: 5, max: 4 });
  });

  it("keeps the deepest of duplicate ids within one read, and the entry that had it", () => {
    const w = new PeakWindow(1_000);
    w.add(1, [
      ["a", p(2, 10)],
      ["a", p(6, 5)],
      ["a", p(3, 10)],
    ]);
    expect(w.max(1).get("a")).toEqual({ depth: 6, max: 5 });
  });

  it("holds only the reads of one window (memory bounded over months of ticks)", () => {
    const w = new PeakWindow(15_000);
    for (let t = 0; t < 1_000_000; t += 1_000) w.add(t, [[`l${t % 7}`, p(1 + (t % 5))]]);
    // Reads in (984000, 999000]: 15 of them.
    expect((w as unknown as { reads: unknown[] }).reads).toHaveLength(15);
    expect(w.max(999_000).size).toBe(7);
  });

  it("refuses a read earlier than the last and a window that is not a positive duration", () => {
    const w = new PeakWindow(1_000);
    w.add(50, []);
    w.add(100, [["a", p(1)]]);
    expect(() => w.add(99, [])).toThrow(/comes before the last one/);
    expect(() => new PeakWindow(0)).toThrow(RangeError);
    expect(() => new PeakWindow(Number.NaN)).toThrow(RangeError);
    expect(() => new PeakWindow(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

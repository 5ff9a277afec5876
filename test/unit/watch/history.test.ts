import { describe, expect, it } from "vitest";
import { History } from "../../../src/watch/history.js";

describe("History", () => {
  it("keeps the last `points` values per series, oldest first, null where unknown", () => {
    const h = new History(3, 2);
    for (let i = 1; i <= 5; i++) h.push("a", [i, i % 2 ? null : i * 10]);
    expect(h.read("a")).toEqual([
      [3, 4, 5],
      [null, 40, null],
    ]);
  });

  it("gives empty series for a key it never saw", () => {
    expect(new History(4, 3).read("x")).toEqual([[], [], []]);
  });

  it("forgets every key not kept, so its size is bounded by what the caller keeps", () => {
    const h = new History(2, 1);
    for (let i = 0; i < 1000; i++) h.push(`k${i}`, [i]);
    h.keep(new Set(["k1", "k999"]));
    expect(h.size).toBe(2);
    expect(h.read("k999")).toEqual([[999]]);
    expect(h.read("k5")).toEqual([[]]);
  });

  it("clones independently: later pushes do not reach the copy", () => {
    const h = new History(4, 1);
    h.push("a", [1]);
    const copy = h.clone();
    h.push("a", [2]);
    expect(copy.read("a")).toEqual([[1]]);
    expect(h.read("a")).toEqual([[1, 2]]);
  });
});

import { describe, expect, it } from "vitest";
import { mapBounded } from "../../../src/status/map-bounded.js";

/** A call that stays pending until released, recording how many were pending at most. */
function gate() {
  let active = 0;
  let most = 0;
  const waiting: Array<() => void> = [];
  const call = async (x: number) => {
    active++;
    most = Math.max(most, active);
    await new Promise<void>((resolve) => waiting.push(resolve));
    active--;
    if (x < 0) throw new Error(`failed on ${x}`);
    return x * 10;
  };
  // Releases what is pending, a macrotask at a time, until the work is done.
  const drain = async (done: Promise<unknown>) => {
    let settled = false;
    done.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (const release of waiting.splice(0)) release();
    }
  };
  return { call, drain, most: () => most };
}

describe("mapBounded", () => {
  it("keeps at most `limit` calls pending and returns results in input order", async () => {
    const g = gate();
    const items = [3, 1, 4, 1, 5, 9, 2, 6];
    const done = mapBounded(items, 3, g.call);
    await g.drain(done);
    expect(await done).toEqual(items.map((x) => x * 10));
    expect(g.most()).toBe(3);
  });

  it("runs everything at once when the limit is above the count, and nothing for no items", async () => {
    const g = gate();
    const done = mapBounded([1, 2], 8, g.call);
    await g.drain(done);
    expect(await done).toEqual([10, 20]);
    expect(g.most()).toBe(2);
    expect(await mapBounded([], 4, g.call)).toEqual([]);
  });

  it("throws the first failure and starts nothing after it", async () => {
    const started: number[] = [];
    const g = gate();
    const done = mapBounded([1, -2, 3, 4, 5], 1, (x) => {
      started.push(x);
      return g.call(x);
    });
    await g.drain(done);
    await expect(done).rejects.toThrow("failed on -2");
    expect(started).toEqual([1, -2]);
  });
});

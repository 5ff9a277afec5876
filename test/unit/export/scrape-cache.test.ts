import { describe, expect, it } from "vitest";
import { NoCollectionInTime, ScrapeCache } from "../../../src/export/scrape-cache.js";

/** Collections the test finishes by hand: each call of collect() is one, in order. */
function handCollections() {
  const pending: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  let started = 0;
  const collect = () =>
    new Promise<string>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  return {
    collect,
    started: () => started,
    finish: (value: string) => pending.shift()?.resolve(value),
    fail: (err: Error) => pending.shift()?.reject(err),
  };
}

/** A clock the test moves. */
function clock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("ScrapeCache", () => {
  it("gives concurrent scrapes one collection, and a later scrape a new one", async () => {
    const c = handCollections();
    const cache = new ScrapeCache(c.collect);
    const scrapes = [cache.get(), cache.get(), cache.get()];
    expect(c.started()).toBe(1);
    expect(cache.collecting).toBe(true);
    c.finish("first");
    const served = await Promise.all(scrapes);
    expect(served.map((s) => [s.value, s.fresh])).toEqual([
      ["first", true],
      ["first", true],
      ["first", true],
    ]);
    expect(cache.collecting).toBe(false);
    const next = cache.get();
    expect(c.started()).toBe(2);
    c.finish("second");
    expect((await next).value).toBe("second");
  });

  it("answers a scrape whose deadline passes with the last complete collection, and its time", async () => {
    const c = handCollections();
    const t = clock();
    const cache = new ScrapeCache(c.collect, t.now);
    const first = cache.get();
    c.finish("old");
    expect(await first).toEqual({ value: "old", completedAt: 1000, fresh: true });
    t.advance(15_000);
    // The collection of this scrape never finishes in time: the deadline is now.
    const late = await cache.get(t.now());
    expect(late).toEqual({ value: "old", completedAt: 1000, fresh: false });
    expect(cache.collecting).toBe(true);
    // It goes on, and the next scrape (joining it) gets it, and it is what is kept.
    const joined = cache.get();
    expect(c.started()).toBe(2);
    t.advance(500);
    c.finish("new");
    expect(await joined).toEqual({ value: "new", completedAt: 16_500, fresh: true });
    expect(cache.lastComplete?.value).toBe("new");
  });

  it("says so when no collection has completed by the deadline, and serves the one after", async () => {
    const c = handCollections();
    const t = clock();
    const cache = new ScrapeCache(c.collect, t.now);
    await expect(cache.get(t.now())).rejects.toBeInstanceOf(NoCollectionInTime);
    const next = cache.get(t.now() + 60_000);
    expect(c.started()).toBe(1);
    c.finish("first");
    expect((await next).value).toBe("first");
  });

  it("gives a failure to every scrape that waited, and starts afresh after it", async () => {
    const c = handCollections();
    const cache = new ScrapeCache(c.collect);
    const done = cache.get();
    c.finish("good");
    await done;
    const waiting = [cache.get(), cache.get()];
    c.fail(new Error("netlink said no"));
    for (const w of waiting) await expect(w).rejects.toThrow("netlink said no");
    expect(cache.collecting).toBe(false);
    expect(cache.lastComplete?.value).toBe("good");
    const again = cache.get();
    expect(c.started()).toBe(3);
    c.finish("better");
    expect((await again).value).toBe("better");
  });

  it("keeps no unhandled rejection when a collection that missed its deadline fails", async () => {
    const c = handCollections();
    const t = clock();
    const cache = new ScrapeCache(c.collect, t.now);
    const first = cache.get();
    c.finish("ok");
    await first;
    const late = await cache.get(t.now());
    expect(late.fresh).toBe(false);
    c.fail(new Error("late failure"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.collecting).toBe(false);
  });
});

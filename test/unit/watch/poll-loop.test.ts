import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { Status } from "../../../src/model/status.js";
import type { TickInput } from "../../../src/watch/frame-model.js";
import { problemRows } from "../../../src/watch/frame-model.js";
import { PollLoop } from "../../../src/watch/poll-loop.js";
import type { StatusSampler } from "../../../src/watch/sampler.js";
import type { TraceFeed } from "../../../src/watch/trace-feed.js";
import { fleetStatus } from "../../helpers/fleet-status.js";

const status: Status = fleetStatus({ namespaces: 1, listenersPerNamespace: 2, intervalSeconds: 1 });

/** A sampler that hands out the same sample `n` times, then fails or never answers. */
function sampler(n: number, after: "fail" | "hang"): StatusSampler & { taken: number } {
  const s = {
    taken: 0,
    sample() {
      if (s.taken++ < n) return Promise.resolve({ status, rows: problemRows(status) });
      return after === "fail"
        ? Promise.reject(new Error("sample failed"))
        : new Promise<never>(() => {});
    },
    close: async () => {},
  };
  return s;
}

const feed = (batches: number[][]): TraceFeed => ({
  drain: async () => (batches.shift() ?? []).map((timeUs) => ({ timeUs }) as never),
  lost: () => 4,
  peaks: () => null,
  close: () => {},
});

describe("PollLoop", () => {
  it("hands each tick's sample and the tracer's records since the last tick to one callback", async () => {
    const ticks: TickInput[] = [];
    const loop = new PollLoop(
      { sampler: sampler(3, "hang"), trace: feed([[1, 2], [], [3]]) },
      1,
      (t) => {
        ticks.push(t);
        if (ticks.length === 3) loop.stop();
      },
    );
    await loop.run();
    expect(ticks.map((t) => t.drops.map((d) => d.timeUs))).toEqual([[1, 2], [], [3]]);
    expect(ticks.every((t) => t.status === status && t.lost === 4 && t.peaks === null)).toBe(true);
    expect(ticks[0]?.rows.map((r) => r.port)).toEqual([80, 8001]);
  });

  it("ends with the error of a failed poll", async () => {
    const loop = new PollLoop({ sampler: sampler(2, "fail"), trace: null }, 1, () => {});
    await expect(loop.run()).rejects.toThrow("sample failed");
  });

  it("stops at once, without waiting for a sample in progress", async () => {
    const s = sampler(1, "hang");
    let seen = 0;
    const loop = new PollLoop({ sampler: s, trace: null }, 1, () => {
      seen++;
    });
    const running = loop.run();
    while (s.taken < 2) await new Promise((r) => setTimeout(r, 1));
    loop.stop();
    await running;
    expect(seen).toBe(1);
  });

  it("without a tracer: no records, no lost count", async () => {
    const loop = new PollLoop({ sampler: sampler(1, "hang"), trace: null }, 1, () => {});
    const t = await loop.tick();
    expect(t.drops).toEqual([]);
    expect(t.lost).toBeNull();
  });
});

/** V8's garbage collector on demand (the flag can be set at run time; gc is then global). */
function forceGc(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe("PollLoop over a long run", () => {
  it("keeps no tick's sample once the next ticks have replaced it", async () => {
    const samples: WeakRef<object>[] = [];
    const fresh: StatusSampler = {
      sample() {
        // A sample of its own each tick, as the sampling thread sends one.
        const rows = problemRows(status).map((r) => ({ ...r }));
        samples.push(new WeakRef(rows));
        return Promise.resolve({ status, rows });
      },
      close: async () => {},
    };
    let ticks = 0;
    let kept: boolean[] = [];
    const loop = new PollLoop({ sampler: fresh, trace: null }, 1, () => {
      if (++ticks < 12) return;
      // While the loop still runs, the first ten ticks' rows must be collectable.
      forceGc();
      kept = samples.slice(0, 10).map((ref) => ref.deref() !== undefined);
      loop.stop();
    });
    await loop.run();
    expect(kept).toEqual(Array(10).fill(false));
  });
});

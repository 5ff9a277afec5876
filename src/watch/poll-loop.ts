/**
 * The one loop that feeds the dashboard: each tick takes a status sample and what the tracer
 * delivered since the last tick, and hands both on as one TickInput. Nothing else polls: the
 * widgets only draw what a tick produced. A failed sample or drain ends the loop with its error.
 */

import type { TickInput } from "./frame-model.js";
import type { StatusSampler } from "./sampler.js";
import type { TraceFeed } from "./trace-feed.js";

/** Where a tick's data comes from. */
export interface TickSources {
  sampler: StatusSampler;
  trace: TraceFeed | null;
}

/** Runs ticks every `intervalMs` (start to start) until stop(). */
export class PollLoop {
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Ends the wait for the current tick's data (set only while a tick is taken). */
  private interrupt: (() => void) | null = null;

  constructor(
    private readonly sources: TickSources,
    private readonly intervalMs: number,
    private readonly onTick: (input: TickInput) => void,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Takes one tick's data. */
  async tick(): Promise<TickInput> {
    const { sampler, trace } = this.sources;
    const { status, rows } = await sampler.sample();
    const drops = trace ? await trace.drain() : [];
    return {
      status,
      rows,
      drops,
      lost: trace ? trace.lost() : null,
      peaks: trace ? trace.peaks() : null,
      at: Date.now(),
    };
  }

  /** Ticks until stop(); rejects with the first failure. */
  async run(): Promise<void> {
    while (!this.stopped) {
      const started = this.nowMs();
      // stop() does not wait for a sample in progress (seconds at 10,000 listeners).
      // Not Promise.race with one promise pending for the whole run: each race would leave a
      // reaction on it that keeps that tick's data (every listener row) for good.
      const input = await new Promise<TickInput | null>((resolve, reject) => {
        this.interrupt = () => resolve(null);
        this.tick().then(resolve, reject);
      });
      this.interrupt = null;
      if (input === null || this.stopped) break;
      this.onTick(input);
      await this.sleep(this.intervalMs - (this.nowMs() - started));
    }
  }

  /** Ends the loop after the current tick (the sleep ends at once). */
  stop(): void {
    this.stopped = true;
    this.interrupt?.();
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}

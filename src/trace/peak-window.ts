/**
 * A sliding-window maximum of per-listener peaks, built from periodic read-and-reset reads
 * (TraceSession.readPeaks({ reset: true }) every tick). Each read holds the peaks since the
 * read before it, so the deepest of the reads taken in the last `windowMs` is each listener's
 * peak over that window: the same value for whoever asks, however often, since asking resets
 * nothing (an exporter scraped by two Prometheus servers). The window is rounded out to whole
 * reads: it covers up to one read interval more than `windowMs`, and peaks newer than the
 * last read wait for the next one. Memory is bounded by the reads of one window.
 */

/** What the window keeps of a listener's read: at least its depth. */
export interface WindowPeak {
  depth: number;
}

interface Read<T> {
  atMs: number;
  peaks: Map<string, T>;
}

/** The deepest peak per listener id over the reads of the last `windowMs`. */
export class PeakWindow<T extends WindowPeak> {
  private readonly reads: Read<T>[] = [];

  constructor(readonly windowMs: number) {
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new RangeError(`a peak window must be a positive number of ms, not ${windowMs}`);
    }
  }

  /**
   * Adds one read taken at `atMs` (a monotonic clock, never earlier than the last read's),
   * its peaks keyed by listener id (event-layout's listenerId). A read with no peaks needs no
   * call: absent means 0.
   */
  add(atMs: number, peaks: Iterable<readonly [string, T]>): void {
    const last = this.reads.at(-1);
    if (last && atMs < last.atMs) {
      throw new RangeError(`peak read at ${atMs} ms comes before the last one (${last.atMs} ms)`);
    }
    this.expire(atMs);
    const map = new Map<string, T>();
    for (const [id, peak] of peaks) {
      const seen = map.get(id);
      if (!seen || peak.depth > seen.depth) map.set(id, peak);
    }
    if (map.size > 0) this.reads.push({ atMs, peaks: map });
  }

  /** Each listener's deepest peak among the reads taken in (nowMs − windowMs, nowMs]. */
  max(nowMs: number): Map<string, T> {
    this.expire(nowMs);
    const out = new Map<string, T>();
    for (const read of this.reads) {
      if (read.atMs > nowMs) continue;
      for (const [id, peak] of read.peaks) {
        const best = out.get(id);
        if (!best || peak.depth > best.depth) out.set(id, peak);
      }
    }
    return out;
  }

  /** Forgets the reads that left the window. */
  private expire(nowMs: number): void {
    while (this.reads.length > 0 && (this.reads[0] as Read<T>).atMs <= nowMs - this.windowMs) {
      this.reads.shift();
    }
  }
}

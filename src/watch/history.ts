/**
 * Bounded history for the dashboard's charts: per key (a listener, a namespace), a fixed number
 * of series, each a ring of the last `points` values. Memory is bounded twice: `points` per
 * series, and only the keys the frame model keeps (keep()) survive a tick, so a watch over
 * 10,000 listeners holds the history of a few hundred, never all of them, however long it runs.
 */

/** One key's series, each a ring of `points` slots; NaN marks a missing value. */
interface Rings {
  values: Float64Array[];
  /** Values written so far (the newest is at (written - 1) % points). */
  written: number;
}

export class History {
  private readonly rings = new Map<string, Rings>();

  /** `points` per series; `series` values per push. */
  constructor(
    readonly points: number,
    readonly series: number,
  ) {
    if (points < 1 || series < 1) throw new RangeError("a history needs points and series");
  }

  /** Appends one value per series (null: not known this tick) to `key`'s history. */
  push(key: string, values: readonly (number | null)[]): void {
    let r = this.rings.get(key);
    if (!r) {
      r = {
        values: Array.from({ length: this.series }, () => new Float64Array(this.points)),
        written: 0,
      };
      this.rings.set(key, r);
    }
    const slot = r.written % this.points;
    for (let s = 0; s < this.series; s++) {
      const v = values[s];
      (r.values[s] as Float64Array)[slot] = v === null || v === undefined ? Number.NaN : v;
    }
    r.written++;
  }

  /** Forgets every key not in `keys`. */
  keep(keys: ReadonlySet<string>): void {
    for (const k of this.rings.keys()) if (!keys.has(k)) this.rings.delete(k);
  }

  /** `key`'s series, oldest value first (at most `points` each; [] per series when unknown). */
  read(key: string): (number | null)[][] {
    const r = this.rings.get(key);
    if (!r) return Array.from({ length: this.series }, () => []);
    const n = Math.min(r.written, this.points);
    const first = r.written - n;
    return r.values.map((ring) => {
      const out: (number | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = ring[(first + i) % this.points] as number;
        out[i] = Number.isNaN(v) ? null : v;
      }
      return out;
    });
  }

  /** How many keys have a history now. */
  get size(): number {
    return this.rings.size;
  }

  /** An independent copy (what a paused display keeps showing). */
  clone(): History {
    const copy = new History(this.points, this.series);
    for (const [k, r] of this.rings) {
      copy.rings.set(k, { values: r.values.map((v) => v.slice()), written: r.written });
    }
    return copy;
  }
}

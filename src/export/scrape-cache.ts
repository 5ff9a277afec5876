/**
 * One collection for many scrapes: scrapes that arrive while a collection runs wait for that
 * one instead of starting their own, and a scrape whose deadline passes first is answered with
 * the last collection that completed (its age tells how old). The value of a collection is
 * whatever `collect` makes; this only decides which one a scrape gets.
 */

/** A collection that completed, and when (ms on the cache's clock). */
export interface Completed<T> {
  value: T;
  completedAt: number;
}

/** What a scrape gets: a collection, and whether it is the one the scrape waited for. */
export interface Served<T> extends Completed<T> {
  /** false: the collection in flight missed the deadline; this is the last complete one. */
  fresh: boolean;
}

/** The deadline passed before any collection completed: there is nothing to serve. */
export class NoCollectionInTime extends Error {
  constructor() {
    super("no collection completed within the scrape timeout");
    this.name = "NoCollectionInTime";
  }
}

/** In-flight sharing and the last complete collection, for the exporter's scrapes. */
export class ScrapeCache<T> {
  private inFlight: Promise<Completed<T>> | null = null;
  private last: Completed<T> | null = null;

  constructor(
    private readonly collect: () => Promise<T>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The last collection that completed, if any. */
  get lastComplete(): Completed<T> | null {
    return this.last;
  }

  /** Whether a collection is running now. */
  get collecting(): boolean {
    return this.inFlight !== null;
  }

  /** The collection in flight, or a new one. Its failure reaches every scrape that waits. */
  private current(): Promise<Completed<T>> {
    if (this.inFlight) return this.inFlight;
    const run = (async () => {
      try {
        const value = await this.collect();
        const done = { value, completedAt: this.now() };
        this.last = done;
        return done;
      } finally {
        this.inFlight = null;
      }
    })();
    this.inFlight = run;
    return run;
  }

  /**
   * A collection for one scrape: the one in flight or a new one. With `deadline` (on the
   * cache's clock), the last complete collection if that one has not finished by then, or
   * NoCollectionInTime when none has completed yet; the collection runs on regardless, for
   * the next scrape.
   */
  async get(deadline?: number): Promise<Served<T>> {
    const run = this.current();
    if (deadline === undefined) return { ...(await run), fresh: true };
    const wait = deadline - this.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.max(0, wait));
    });
    try {
      const done = await Promise.race([run, late]);
      if (done !== null) return { ...done, fresh: true };
    } finally {
      clearTimeout(timer);
    }
    // Not in time: the failure of the run (if it fails) is the next scrape's to see.
    run.catch(() => {});
    if (this.last === null) throw new NoCollectionInTime();
    return { ...this.last, fresh: false };
  }
}

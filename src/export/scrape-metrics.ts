/**
 * What the exporter says about itself on every scrape, apart from the collection (which may be
 * shared by many scrapes, or older than the scrape when it missed its deadline): how old the
 * collection served is, the scrape errors so far by cause, and the process's memory and CPU.
 */
import { counter, gauge, labelSet, type Renderer } from "./exposition-writer.js";

/**
 * Why a scrape did not get a fresh collection: `timeout`, the collection did not finish within
 * X-Prometheus-Scrape-Timeout-Seconds (the last complete one was served, or a 503 when there was
 * none); `collection`, a collection failed (a 500 for the scrapes that waited for it).
 */
export const SCRAPE_ERROR_CAUSES = ["timeout", "collection"] as const;
export type ScrapeErrorCause = (typeof SCRAPE_ERROR_CAUSES)[number];

/** Scrape errors since start, by cause. */
export class ScrapeErrors {
  private readonly counts = new Map<ScrapeErrorCause, number>(
    SCRAPE_ERROR_CAUSES.map((c) => [c, 0]),
  );

  add(cause: ScrapeErrorCause): void {
    this.counts.set(cause, (this.counts.get(cause) ?? 0) + 1);
  }

  count(cause: ScrapeErrorCause): number {
    return this.counts.get(cause) ?? 0;
  }
}

/** What one scrape reports about itself. */
export interface ScrapeFacts {
  /** Seconds since the collection served completed. */
  collectionAgeSeconds: number;
  errors: ScrapeErrors;
}

const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

/** The scrape's own families, written after the collection's. */
export function scrapeFamilies(facts: ScrapeFacts): Renderer {
  return function* (w) {
    w.single(
      gauge(
        "synq_collection_age_seconds",
        "Seconds since the collection in this scrape completed: near 0, unless the scrape timed out and got the last complete one.",
      ),
      facts.collectionAgeSeconds,
    );
    const errors = counter(
      "synq_scrape_errors_total",
      "Scrapes since synq started that got no fresh collection, by cause: timeout (the last complete collection or none was served), collection (it failed).",
    );
    w.family(errors);
    for (const cause of SCRAPE_ERROR_CAUSES) {
      w.sample(errors.name, labelSet({ cause }), facts.errors.count(cause));
    }
    if (w.full) yield w.take();
    w.single(
      gauge("process_resident_memory_bytes", "Resident memory size in bytes."),
      process.memoryUsage.rss(),
    );
    const cpu = process.cpuUsage();
    w.single(
      counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds."),
      (cpu.user + cpu.system) / 1e6,
    );
    w.single(
      gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds."),
      START_SECONDS,
    );
  };
}

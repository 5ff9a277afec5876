/**
 * What the exporter says about itself on every scrape, apart from the collection (which may be
 * shared by many scrapes, or older than the scrape when it missed its deadline): how old the
 * collection served is, the scrape errors so far by cause, and the process's memory and CPU.
 */
import { Counter, Gauge, Registry, type RegistryContentType } from "prom-client";
import { CONTENT_TYPES, type ExpositionFormat } from "./exposition-format.js";

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

/** The scrape's own families, in `format`. */
export function scrapeExposition(facts: ScrapeFacts, format: ExpositionFormat): Promise<string> {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(CONTENT_TYPES[format]);
  const registers = [registry];
  new Gauge({
    name: "synq_collection_age_seconds",
    help: "Seconds since the collection in this scrape completed: near 0, unless the scrape timed out and got the last complete one.",
    registers,
  }).set(facts.collectionAgeSeconds);
  const errors = new Counter({
    name: "synq_scrape_errors_total",
    help: "Scrapes since synq started that got no fresh collection, by cause: timeout (the last complete collection or none was served), collection (it failed).",
    labelNames: ["cause"],
    registers,
  });
  for (const cause of SCRAPE_ERROR_CAUSES) errors.inc({ cause }, facts.errors.count(cause));
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers,
  }).set(process.memoryUsage.rss());
  const cpu = process.cpuUsage();
  new Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registers,
  }).inc((cpu.user + cpu.system) / 1e6);
  new Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since unix epoch in seconds.",
    registers,
  }).set(START_SECONDS);
  return registry.metrics();
}

const OPENMETRICS_EOF = "# EOF\n";

/** One exposition from the collection's and the scrape's: a single `# EOF` in OpenMetrics. */
export function joinExpositions(
  collection: string,
  scrape: string,
  format: ExpositionFormat,
): string {
  if (format === "openmetrics") {
    const head = collection.endsWith(OPENMETRICS_EOF)
      ? collection.slice(0, -OPENMETRICS_EOF.length)
      : collection;
    return head + scrape;
  }
  return `${collection}\n${scrape}`;
}

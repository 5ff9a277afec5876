/**
 * One collection of synq export: the status of the selected namespaces, read as `synq status`
 * reads it (statusReport), plus what other sources add, rendered as metrics. One collection
 * feeds both exposition formats and every scrape that shares it: the status is read once, and
 * each scrape writes it in the format it asked for, a chunk at a time (exposition-writer.ts).
 */
import { performance } from "node:perf_hooks";
import type { Status } from "../model/status.js";
import { type StatusOptions, statusReport } from "../status/status-report.js";
import type { OwnerSource } from "../system/owner-cache.js";
import type { Renderer } from "./exposition-writer.js";
import { type CollectionFacts, statusFamilies } from "./metric-families.js";

/**
 * A source of metric families besides the status (the tracer's exact counters, for one):
 * called once per collection, before the status is read, and given the status once read;
 * what it returns writes its families after the status's.
 */
export type FamilyProducer = (status: Promise<Status>) => Promise<Renderer>;

/** What a collection reads, as `synq export` was asked. */
export interface CollectRequest extends Omit<StatusOptions, "interval" | "top"> {
  version: string;
  /** --max-series; null: every listener. */
  maxSeries: number | null;
  /** Further families, each collected with the status. */
  producers?: readonly FamilyProducer[];
  owners?: OwnerSource;
}

/** A complete collection, written anew for each scrape (nothing rendered is kept). */
export class ExportCollection {
  constructor(
    readonly status: Status,
    readonly facts: CollectionFacts,
    private readonly renderers: readonly Renderer[],
    private readonly maxSeries: number | null,
  ) {}

  /** The collection's families: the status's, then every producer's. */
  families(): Renderer[] {
    return [
      statusFamilies(this.status, this.facts, { maxSeries: this.maxSeries }),
      ...this.renderers,
    ];
  }
}

/**
 * Collects once: the status, and every producer's families beside it. The producers are
 * called first, so whatever they read before their first await was read before the status.
 */
export async function collectExport(req: CollectRequest): Promise<ExportCollection> {
  const started = performance.now();
  let statusRead!: (s: Status) => void;
  let statusFailed!: (err: unknown) => void;
  const status = new Promise<Status>((resolve, reject) => {
    statusRead = resolve;
    statusFailed = reject;
  });
  // The status's failure is collectExport's to report, not each producer's.
  status.catch(() => {});
  const producing = Promise.all((req.producers ?? []).map((produce) => produce(status)));
  const reading = statusReport({ ...req, interval: undefined, top: undefined }).then(
    (r) => {
      statusRead(r.status);
      return r.status;
    },
    (err: unknown) => {
      statusFailed(err);
      throw err;
    },
  );
  const [read, renderers] = await Promise.all([reading, producing]);
  const durationSeconds = (performance.now() - started) / 1000;
  return new ExportCollection(
    read,
    { version: req.version, nodeVersion: process.version, durationSeconds },
    renderers,
    req.maxSeries,
  );
}

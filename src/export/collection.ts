/**
 * One collection of synq export: the status of the selected namespaces, read as `synq status`
 * reads it (statusReport), plus what other sources add, rendered as metrics. One collection
 * feeds both exposition formats: the status is read once, and each format that a scrape asks
 * for is rendered from it once, in a registry of its own (prom-client renames counters in
 * place when it writes OpenMetrics, so a registry cannot serve both formats).
 */
import { performance } from "node:perf_hooks";
import type { Registry, RegistryContentType } from "prom-client";
import type { Status } from "../model/status.js";
import { type StatusOptions, statusReport } from "../status/status-report.js";
import type { OwnerSource } from "../system/owner-cache.js";
import { CONTENT_TYPES, type ExpositionFormat } from "./exposition-format.js";
import { type CollectionFacts, statusRegistry } from "./metric-families.js";

/** Adds metric families of its own to a collection's registry (for each format rendered). */
export type FamilyWriter = (registry: Registry<RegistryContentType>) => void;

/**
 * A source of metric families besides the status (the tracer's exact counters, for one):
 * collected beside the status, once per collection; what it returns writes the families.
 */
export type FamilyProducer = () => Promise<FamilyWriter>;

/** What a collection reads, as `synq export` was asked. */
export interface CollectRequest extends Omit<StatusOptions, "interval" | "top"> {
  version: string;
  /** --max-series; null: every listener. */
  maxSeries: number | null;
  /** Further families, each collected with the status. */
  producers?: readonly FamilyProducer[];
  owners?: OwnerSource;
}

/** A complete collection; renders each format on first use and keeps it. */
export class ExportCollection {
  private readonly rendered = new Map<ExpositionFormat, Promise<string>>();

  constructor(
    readonly status: Status,
    readonly facts: CollectionFacts,
    private readonly writers: readonly FamilyWriter[],
    private readonly maxSeries: number | null,
  ) {}

  /** The exposition in `format`, rendered once. */
  exposition(format: ExpositionFormat): Promise<string> {
    let text = this.rendered.get(format);
    if (!text) {
      text = this.render(format);
      this.rendered.set(format, text);
    }
    return text;
  }

  private render(format: ExpositionFormat): Promise<string> {
    const registry = statusRegistry(this.status, this.facts, {
      maxSeries: this.maxSeries,
      contentType: CONTENT_TYPES[format],
    });
    for (const write of this.writers) write(registry);
    return registry.metrics();
  }
}

/** Collects once: the status (and every producer's families beside it). */
export async function collectExport(req: CollectRequest): Promise<ExportCollection> {
  const started = performance.now();
  const [{ status }, ...writers] = await Promise.all([
    statusReport({ ...req, interval: undefined, top: undefined }),
    ...(req.producers ?? []).map((produce) => produce()),
  ]);
  const durationSeconds = (performance.now() - started) / 1000;
  return new ExportCollection(
    status,
    { version: req.version, nodeVersion: process.version, durationSeconds },
    writers,
    req.maxSeries,
  );
}

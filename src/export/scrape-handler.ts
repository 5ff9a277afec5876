/**
 * `GET /metrics`: the format the scraper accepts, a collection from the scrape cache within
 * the scraper's timeout, and the scrape's own families after the collection's, written to the
 * response a chunk at a time.
 */
import type { IncomingMessage } from "node:http";
import { SynqError } from "../errors.js";
import type { ExportCollection } from "./collection.js";
import { CONTENT_TYPES, negotiateFormat } from "./exposition-format.js";
import { exposition } from "./exposition-writer.js";
import type { Reply } from "./http-server.js";
import { NoCollectionInTime, type ScrapeCache, type Served } from "./scrape-cache.js";
import { type ScrapeErrors, scrapeFamilies } from "./scrape-metrics.js";

/** The header Prometheus sends with every scrape: its scrape_timeout, in seconds. */
export const SCRAPE_TIMEOUT_HEADER = "x-prometheus-scrape-timeout-seconds";

/**
 * When a scrape with `timeoutSeconds` must have its collection (ms on `now`'s clock): early
 * enough to still render and send the last complete one, a quarter of the timeout but at most
 * a second before the scraper gives up. undefined without a usable header: wait.
 */
export function scrapeDeadline(
  header: string | string[] | undefined,
  now: number,
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  const ms = seconds * 1000;
  return now + ms - Math.min(1000, ms / 4);
}

/** Serves scrapes from `cache`, counting the ones that got no fresh collection in `errors`. */
export class ScrapeHandler {
  constructor(
    private readonly cache: ScrapeCache<ExportCollection>,
    private readonly errors: ScrapeErrors,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async metrics(req: IncomingMessage): Promise<Reply> {
    const format = negotiateFormat(req.headers.accept);
    const deadline = scrapeDeadline(req.headers[SCRAPE_TIMEOUT_HEADER], this.now());
    let served: Served<ExportCollection>;
    try {
      served = await this.cache.get(deadline);
    } catch (err) {
      if (err instanceof NoCollectionInTime) {
        this.errors.add("timeout");
        return plain(
          503,
          "synq: no collection completed within the scrape timeout yet; the one running will serve the next scrape",
        );
      }
      // Counted (and logged) by the collection itself: every scrape that waited gets the reason.
      const line = err instanceof SynqError ? err.oneLine() : (err as Error).message;
      return plain(500, `synq: the collection failed: ${line}`);
    }
    if (!served.fresh) this.errors.add("timeout");
    const own = scrapeFamilies({
      collectionAgeSeconds: Math.max(0, this.now() - served.completedAt) / 1000,
      errors: this.errors,
    });
    return {
      status: 200,
      headers: { "Content-Type": CONTENT_TYPES[format] },
      body: exposition(format, ...served.value.families(), own),
    };
  }
}

function plain(status: number, body: string): Reply {
  return { status, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: `${body}\n` };
}

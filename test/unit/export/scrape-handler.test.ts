import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { ExportCollection } from "../../../src/export/collection.js";
import { CHUNK_SIZE, exposition } from "../../../src/export/exposition-writer.js";
import type { Reply } from "../../../src/export/http-server.js";
import { ScrapeCache } from "../../../src/export/scrape-cache.js";
import { ScrapeHandler, scrapeDeadline } from "../../../src/export/scrape-handler.js";
import { ScrapeErrors } from "../../../src/export/scrape-metrics.js";
import { synQueueRule } from "../../../src/kernel/syn-queue-limit.js";
import { STATUS_SCHEMA_VERSION, type Status } from "../../../src/model/status.js";
import { buildNamespaceStatus } from "../../../src/status/build-status.js";
import { parseExposition, samplesOf } from "../../helpers/exposition.js";
import { capturesOf } from "../../helpers/fixtures.js";
import { sampleFromCapture } from "../../helpers/sample-from-capture.js";

const [capture] = capturesOf("busy");
if (!capture) throw new Error("no busy capture");

function collection(): ExportCollection {
  const ns = buildNamespaceStatus(sampleFromCapture(capture as NonNullable<typeof capture>), null, {
    netns: "web",
    rule: synQueueRule([6, 18, 0]),
    port: null,
  });
  const status: Status = {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: "2026-01-01T00:00:00.000Z",
    kernel: { release: "6.18.0", synQueueRule: "rule" },
    intervalSeconds: null,
    namespaces: [ns],
  };
  return new ExportCollection(
    status,
    { version: "0.1.0", nodeVersion: "v20.0.0", durationSeconds: 0.2 },
    [],
    null,
  );
}

const OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

function scrape(headers: Record<string, string> = {}): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

/** A reply's body, whole. */
function bodyOf(reply: Reply): string {
  return typeof reply.body === "string" ? reply.body : [...reply.body].join("");
}

describe("one collection, both formats", () => {
  it("writes Prometheus text and OpenMetrics from the same collection", () => {
    const c = collection();
    const om = [...exposition("openmetrics", ...c.families())].join("");
    const text = [...exposition("prometheus", ...c.families())].join("");
    expect(om.endsWith("\n# EOF\n")).toBe(true);
    expect(om).toMatch(/^# TYPE synq_listener_drops counter$/m);
    expect(om).toMatch(/^synq_listener_drops_total\{/m);
    expect(om).not.toContain("\n\n");
    // The text format after OpenMetrics still names the counter with _total in its TYPE.
    expect(text).toMatch(/^# TYPE synq_listener_drops_total counter$/m);
    expect(text).not.toMatch(/# EOF/);
    const e = parseExposition(text);
    expect(
      samplesOf(e, "synq_listener_drops_total", { port: "8080", address: "0.0.0.0" }).map(
        (s) => s.value,
      ),
    ).toEqual([6]);
  });

  it("writes a large exposition in chunks of about CHUNK_SIZE, whole lines each", () => {
    const c = collection();
    const [ns] = c.status.namespaces;
    const [first] = ns?.listeners ?? [];
    if (!ns || !first) throw new Error("no listener");
    ns.listeners = Array.from({ length: 5000 }, (_, i) => ({ ...first, port: 10_000 + i }));
    const chunks = [...exposition("prometheus", ...c.families())];
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThan(CHUNK_SIZE + 1024);
      expect(chunk.endsWith("\n")).toBe(true);
    }
    const e = parseExposition(chunks.join(""));
    expect(samplesOf(e, "synq_listener_accept_queue_depth")).toHaveLength(5000);
    expect(samplesOf(e, "synq_listener_info")).toHaveLength(5000);
  });
});

describe("scrapeDeadline", () => {
  it("leaves a quarter of the scrape timeout, at most a second, to answer", () => {
    expect(scrapeDeadline("10", 1000)).toBe(10_000);
    expect(scrapeDeadline("1", 1000)).toBe(1750);
    expect(scrapeDeadline(["2", "9"], 0)).toBe(1500);
    for (const bad of [undefined, "", "0", "-1", "ten", "Infinity"])
      expect(scrapeDeadline(bad, 0)).toBeUndefined();
  });
});

describe("GET /metrics", () => {
  it("serves the collection and the scrape's own families in the format asked for", async () => {
    const handler = new ScrapeHandler(
      new ScrapeCache(async () => collection()),
      new ScrapeErrors(),
    );
    const text = await handler.metrics(scrape());
    expect(text.status).toBe(200);
    expect(text.headers?.["Content-Type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const e = parseExposition(bodyOf(text));
    expect(samplesOf(e, "synq_collection_age_seconds")).toHaveLength(1);
    expect(samplesOf(e, "synq_scrape_errors_total").map((s) => [s.labels.cause, s.value])).toEqual([
      ["timeout", 0],
      ["collection", 0],
    ]);
    expect(samplesOf(e, "process_resident_memory_bytes")[0]?.value).toBeGreaterThan(0);
    expect(samplesOf(e, "synq_listener_accept_queue_depth").length).toBeGreaterThan(0);
    const omReply = await handler.metrics(scrape({ accept: OPENMETRICS }));
    const om = bodyOf(omReply);
    expect(omReply.headers?.["Content-Type"]).toBe(
      "application/openmetrics-text; version=1.0.0; charset=utf-8",
    );
    expect(om.match(/^# EOF$/gm)).toHaveLength(1);
    expect(om.endsWith("\n# EOF\n")).toBe(true);
    expect(om).toMatch(
      /^# TYPE synq_scrape_errors counter\nsynq_scrape_errors_total\{cause="timeout"\} 0$/m,
    );
  });

  it("answers a scrape that would time out with the last collection, its age and a timeout error", async () => {
    let now = 0;
    let calls = 0;
    let release: (c: ExportCollection) => void = () => {};
    const cache = new ScrapeCache(
      () => {
        calls++;
        return calls === 1
          ? Promise.resolve(collection())
          : new Promise<ExportCollection>((r) => {
              release = r;
            });
      },
      () => now,
    );
    const handler = new ScrapeHandler(cache, new ScrapeErrors(), () => now);
    expect((await handler.metrics(scrape())).status).toBe(200);
    now = 30_000;
    // A 1 ms scrape timeout: the collection now in flight (finished below, by hand) misses it.
    const late = await handler.metrics(scrape({ "x-prometheus-scrape-timeout-seconds": "0.001" }));
    expect(late.status).toBe(200);
    const e = parseExposition(bodyOf(late));
    expect(samplesOf(e, "synq_collection_age_seconds").map((s) => s.value)).toEqual([30]);
    expect(
      samplesOf(e, "synq_scrape_errors_total", { cause: "timeout" }).map((s) => s.value),
    ).toEqual([1]);
    release(collection());
    const fresh = parseExposition(bodyOf(await handler.metrics(scrape())));
    expect(
      samplesOf(fresh, "synq_scrape_errors_total", { cause: "timeout" }).map((s) => s.value),
    ).toEqual([1]);
  });

  it("says 503 when no collection has completed in time, and 500 with the reason when it failed", async () => {
    const errors = new ScrapeErrors();
    const never = new ScrapeHandler(
      new ScrapeCache(() => new Promise<ExportCollection>(() => {})),
      errors,
    );
    const r = await never.metrics(scrape({ "x-prometheus-scrape-timeout-seconds": "0.001" }));
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/^synq: no collection completed within the scrape timeout yet/);
    expect(errors.count("timeout")).toBe(1);
    const failing = new ScrapeHandler(
      new ScrapeCache(() => Promise.reject(new Error("sock_diag dump failed"))),
      errors,
    );
    const f = await failing.metrics(scrape());
    expect([f.status, f.body]).toEqual([
      500,
      "synq: the collection failed: sock_diag dump failed\n",
    ]);
  });
});

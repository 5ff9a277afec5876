import { describe, expect, it } from "vitest";
import { renderToString } from "../../../src/export/exposition-writer.js";
import { selectListeners, seriesOfListener } from "../../../src/export/max-series.js";
import { statusFamilies } from "../../../src/export/metric-families.js";
import { synQueueRule } from "../../../src/kernel/syn-queue-limit.js";
import { STATUS_SCHEMA_VERSION, type Status } from "../../../src/model/status.js";
import { buildNamespaceStatus } from "../../../src/status/build-status.js";
import { parseExposition, samplesOf } from "../../helpers/exposition.js";
import { capturesOf } from "../../helpers/fixtures.js";
import { sampleFromCapture } from "../../helpers/sample-from-capture.js";

const [capture] = capturesOf("busy");
if (!capture) throw new Error("no busy capture");

/** The busy capture (10 listeners, 0.0.0.0:8080 overflowing) as synq's namespace and "web". */
function busy(): Status {
  const build = (netns: string) =>
    buildNamespaceStatus(sampleFromCapture(capture as NonNullable<typeof capture>), null, {
      netns,
      rule: synQueueRule([6, 18, 0]),
      port: null,
    });
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: "2026-01-01T00:00:00.000Z",
    kernel: { release: "6.18.0", synQueueRule: "rule" },
    intervalSeconds: null,
    namespaces: [build(""), build("web")],
  };
}

/** The kept listeners as `netns/local`, in status order. */
function keptOf(status: Status, max: number | null): string[] {
  const { kept } = selectListeners(status, max);
  return status.namespaces.flatMap((ns, n) =>
    ns.listeners.filter((_, i) => kept[n]?.has(i)).map((l) => `${ns.netns}/${l.local}`),
  );
}

describe("--max-series", () => {
  const status = busy();
  const listeners = status.namespaces.flatMap((ns) => ns.listeners);
  const total = listeners.reduce((n, l) => n + seriesOfListener(l), 0);

  it("keeps everything without a cap or with room for all", () => {
    expect(selectListeners(status, null).omitted).toBe(0);
    expect(keptOf(status, null)).toHaveLength(20);
    expect(selectListeners(status, total).omitted).toBe(0);
    expect(selectListeners(status, total - 1).omitted).toBe(1);
  });

  it("keeps the overflowing listeners first, then the busiest, whole listeners only", () => {
    expect(keptOf(status, 0)).toEqual([]);
    expect(keptOf(status, 5)).toEqual([]); // one listener is six series: none fits
    expect(keptOf(status, 12)).toEqual(["/0.0.0.0:8080", "web/0.0.0.0:8080"]);
    // Then by SYN-RECV (no other queue holds anything): the first of the 4s, in status order.
    expect(keptOf(status, 18)).toEqual(["/0.0.0.0:7443", "/0.0.0.0:8080", "web/0.0.0.0:8080"]);
    expect(selectListeners(status, 18).omitted).toBe(17);
  });

  it("chooses the same listeners every time for the same status", () => {
    const once = keptOf(status, 60);
    for (let i = 0; i < 5; i++) expect(keptOf(busy(), 60)).toEqual(once);
  });

  it("caps the exported listener series, counts the rest, and keeps each one's labels", async () => {
    const e = parseExposition(
      renderToString("prometheus", statusFamilies(status, FACTS, { maxSeries: 18 })),
    );
    const listenerSeries = e.samples.filter((s) => s.name.startsWith("synq_listener_"));
    expect(listenerSeries).toHaveLength(18);
    expect(samplesOf(e, "synq_listeners_omitted").map((s) => s.value)).toEqual([17]);
    // A SO_REUSEPORT twin keeps its socket label though its twin was left out.
    const twin = samplesOf(e, "synq_listener_accept_queue_depth", { netns: "", port: "7443" });
    expect(twin).toHaveLength(1);
    expect(twin[0]?.labels.socket).toMatch(/^\d+$/);
    // Namespace series are not listener series: all still there.
    expect(samplesOf(e, "synq_netns_listen_overflows_total")).toHaveLength(2);
    const all = parseExposition(renderToString("prometheus", statusFamilies(status, FACTS)));
    expect(samplesOf(all, "synq_listeners_omitted").map((s) => s.value)).toEqual([0]);
  });
});

const FACTS = { version: "0.1.0", nodeVersion: "v20.0.0", durationSeconds: 0.1 };

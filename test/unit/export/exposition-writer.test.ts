import { Counter, Gauge, Registry, type RegistryContentType } from "prom-client";
import { describe, expect, it } from "vitest";
import type { ExpositionFormat } from "../../../src/export/exposition-format.js";
import {
  escapeLabelValue,
  formatValue,
  type Renderer,
  renderToString,
} from "../../../src/export/exposition-writer.js";
import { statusFamilies } from "../../../src/export/metric-families.js";
import { ScrapeErrors, scrapeFamilies } from "../../../src/export/scrape-metrics.js";
import { traceFamilies } from "../../../src/export/trace-families.js";
import { synQueueRule } from "../../../src/kernel/syn-queue-limit.js";
import { STATUS_SCHEMA_VERSION, type Status } from "../../../src/model/status.js";
import { buildNamespaceStatus } from "../../../src/status/build-status.js";
import { parseExposition } from "../../helpers/exposition.js";
import { capturesOf } from "../../helpers/fixtures.js";
import { sampleFromCapture } from "../../helpers/sample-from-capture.js";

const [capture] = capturesOf("busy");
if (!capture) throw new Error("no busy capture");

const ODD = 'we"ird\\name\nx';

/** The busy capture in a namespace with an odd name, one of its processes oddly named too. */
function oddStatus(): Status {
  const ns = buildNamespaceStatus(sampleFromCapture(capture as NonNullable<typeof capture>), null, {
    netns: ODD,
    rule: synQueueRule([6, 18, 0]),
    port: null,
  });
  const [first] = ns.listeners;
  if (first) first.processes = [{ command: ODD, pid: 42, fd: 3 }];
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: "2026-01-01T00:00:00.000Z",
    kernel: { release: "6.18.0", synQueueRule: "rule" },
    intervalSeconds: null,
    namespaces: [ns],
  };
}

const RENDERERS: Renderer[] = [
  statusFamilies(oddStatus(), { version: "0.1.0", nodeVersion: "v20.0.0", durationSeconds: 0.25 }),
  traceFamilies({
    drops: [
      {
        key: { sockIno: 9, family: 2, v6only: false, address: "0.0.0.0", port: 80, netnsIno: 1 },
        netns: ODD,
        reason: "accept-queue-full",
        count: 3,
      },
    ],
    lost: 0,
    unattributed: 1,
    peaks: [],
    strategy: "cgroup",
    hook: '/sys/fs/cgroup/a"b',
  }),
  scrapeFamilies({ collectionAgeSeconds: 0.125, errors: new ScrapeErrors() }),
];

/**
 * The same families through prom-client, from what the text format says: each family's
 * HELP, TYPE and samples, in order.
 */
async function throughPromClient(text: string, format: ExpositionFormat): Promise<string> {
  const registry = new Registry<RegistryContentType>();
  if (format === "openmetrics") registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const help = new Map<string, string>();
  for (const m of text.matchAll(/^# HELP (\S+) (.*)$/gm)) {
    help.set(
      m[1] as string,
      (m[2] as string).replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c)),
    );
  }
  const e = parseExposition(text);
  for (const [name, type] of e.types) {
    const samples = e.samples.filter((s) => s.name === name);
    // A family without labels and samples would get a 0 from prom-client: give it a label.
    const labelNames = [...new Set(samples.flatMap((s) => Object.keys(s.labels)))];
    if (samples.length === 0) labelNames.push("none");
    const opts = { name, help: help.get(name) as string, labelNames, registers: [registry] };
    if (type === "counter") {
      const c = new Counter(opts);
      for (const s of samples) c.inc(s.labels, s.value);
    } else {
      const g = new Gauge(opts);
      for (const s of samples) g.set(s.labels, s.value);
    }
  }
  return registry.metrics();
}

describe("the exposition writer", () => {
  it("writes the text format byte for byte as prom-client does", async () => {
    const text = renderToString("prometheus", ...RENDERERS);
    expect(text).toContain(`netns="${escapeLabelValue(ODD)}"`);
    expect(escapeLabelValue(ODD)).toBe('we\\"ird\\\\name\\nx');
    expect(await throughPromClient(text, "prometheus")).toBe(text);
  });

  it('writes OpenMetrics as prom-client does, with the `"` in HELP escaped as the spec asks', async () => {
    const text = renderToString("prometheus", ...RENDERERS);
    const open = renderToString("openmetrics", ...RENDERERS);
    expect(open.endsWith("\n# EOF\n")).toBe(true);
    expect(open).not.toContain("\n\n");
    expect(open).toMatch(/^# TYPE synq_trace_drops counter$/m);
    const reference = (await throughPromClient(text, "openmetrics")).replace(
      /^(# HELP \S+ )(.*)$/gm,
      (_, head: string, help: string) => head + help.replace(/"/g, '\\"'),
    );
    // The process's memory and CPU moved between the two renders.
    const steady = (t: string) => t.replace(/^(process_\S+) .*$/gm, "$1 …");
    expect(steady(open)).toBe(steady(reference));
  });

  it("spells values as both formats read them", () => {
    expect([0, 7, 0.25, 1e21, Number.NaN, Infinity, -Infinity].map(formatValue)).toEqual([
      "0",
      "7",
      "0.25",
      "1e+21",
      "NaN",
      "+Inf",
      "-Inf",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import type { ExpositionFormat } from "../../../src/export/exposition-format.js";
import { renderToString } from "../../../src/export/exposition-writer.js";
import { type TraceReading, traceFamilies } from "../../../src/export/trace-families.js";
import type { ListenerIdentity } from "../../../src/trace/event-layout.js";
import { parseExposition, samplesOf } from "../../helpers/exposition.js";

const AF_INET = 2;
const AF_INET6 = 10;

function key(over: Partial<ListenerIdentity>): ListenerIdentity {
  return {
    sockIno: 100,
    family: AF_INET,
    v6only: false,
    address: "0.0.0.0",
    port: 8080,
    netnsIno: 4026531840,
    ...over,
  };
}

const web = key({ sockIno: 1, address: "10.0.0.1", port: 80 });
const dual = key({ sockIno: 2, family: AF_INET6, address: "::", port: 443 });
const v6only = key({ sockIno: 3, family: AF_INET6, v6only: true, address: "::", port: 443 });
// An SO_REUSEPORT group: two sockets on one address:port.
const groupA = key({ sockIno: 4, port: 9000 });
const groupB = key({ sockIno: 5, port: 9000 });

const READING: TraceReading = {
  drops: [
    { key: web, netns: "", reason: "accept-queue-full", count: 7 },
    { key: web, netns: "", reason: "accept-queue-full-ack", count: 2 },
    { key: dual, netns: "web", reason: "syn-queue-full", count: 5 },
    { key: v6only, netns: "web", reason: "accept-queue-full", count: 1 },
    { key: groupA, netns: "", reason: "accept-queue-full", count: 3 },
    { key: groupB, netns: "", reason: "accept-queue-full", count: 4 },
  ],
  lost: 11,
  unattributed: 2,
  peaks: [
    { key: web, netns: "", depth: 3 },
    { key: dual, netns: "web", depth: 129 },
    { key: groupB, netns: "", depth: 6 },
  ],
  strategy: "tc",
  hook: "tcx",
};

async function render(reading: TraceReading, format: ExpositionFormat = "prometheus") {
  return renderToString(format, traceFamilies(reading));
}

describe("the tracer's metric families", () => {
  it("names, types and labels each family as the listener families do", async () => {
    const e = parseExposition(await render(READING));
    expect(e.types.get("synq_trace_drops_total")).toBe("counter");
    expect(e.types.get("synq_trace_lost_records_total")).toBe("counter");
    expect(e.types.get("synq_listener_accept_queue_peak")).toBe("gauge");
    expect(e.types.get("synq_trace_info")).toBe("gauge");

    expect(samplesOf(e, "synq_trace_drops_total", { port: "80" })).toEqual([
      {
        name: "synq_trace_drops_total",
        labels: {
          netns: "",
          address: "10.0.0.1",
          port: "80",
          family: "inet",
          reason: "accept-queue-full",
        },
        value: 7,
      },
      {
        name: "synq_trace_drops_total",
        labels: {
          netns: "",
          address: "10.0.0.1",
          port: "80",
          family: "inet",
          reason: "accept-queue-full-ack",
        },
        value: 2,
      },
    ]);
    // A dual-stack wildcard is `*` and dual, as status names it; an IPV6_V6ONLY one is inet6 `::`.
    expect(samplesOf(e, "synq_trace_drops_total", { netns: "web" }).map((s) => s.labels)).toEqual([
      { netns: "web", address: "*", port: "443", family: "dual", reason: "syn-queue-full" },
      { netns: "web", address: "::", port: "443", family: "inet6", reason: "accept-queue-full" },
    ]);
    expect(samplesOf(e, "synq_trace_lost_records_total")).toEqual([
      { name: "synq_trace_lost_records_total", labels: {}, value: 11 },
    ]);
    expect(e.types.get("synq_trace_unattributed_drops_total")).toBe("counter");
    expect(samplesOf(e, "synq_trace_unattributed_drops_total")[0]?.value).toBe(2);
    expect(samplesOf(e, "synq_listener_accept_queue_peak", { port: "443" })).toEqual([
      {
        name: "synq_listener_accept_queue_peak",
        labels: { netns: "web", address: "*", port: "443", family: "dual" },
        value: 129,
      },
    ]);
    expect(samplesOf(e, "synq_trace_info")).toEqual([
      { name: "synq_trace_info", labels: { strategy: "tc", hook: "tcx" }, value: 1 },
    ]);
  });

  it("adds `socket` only to listeners that share every other label", async () => {
    const e = parseExposition(await render(READING));
    const group = samplesOf(e, "synq_trace_drops_total", { port: "9000" });
    expect(group.map((s) => [s.labels.socket, s.value])).toEqual([
      ["4", 3],
      ["5", 4],
    ]);
    // The peak of a group member carries its socket even when only it has a peak.
    expect(samplesOf(e, "synq_listener_accept_queue_peak", { port: "9000" })).toEqual([
      {
        name: "synq_listener_accept_queue_peak",
        labels: { netns: "", address: "0.0.0.0", port: "9000", family: "inet", socket: "5" },
        value: 6,
      },
    ]);
    for (const s of e.samples)
      if (s.labels.port !== "9000") expect(s.labels.socket).toBeUndefined();
  });

  it("gives every series a name and label set of its own, in both formats", async () => {
    for (const format of ["prometheus", "openmetrics"] as const) {
      const text = await render(READING, format);
      const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
      expect(new Set(lines.map((l) => l.slice(0, l.lastIndexOf(" ")))).size).toBe(lines.length);
    }
    const open = await render(READING, "openmetrics");
    expect(open).toMatch(/^synq_trace_drops_total\{.*reason="syn-queue-full"\} 5$/m);
    expect(open).toMatch(/^synq_trace_lost_records_total 11$/m);
  });

  it("escapes label values a namespace name or a cgroup path could hold", async () => {
    const odd = 'a"b\\c\nd';
    const text = await render({
      drops: [{ key: web, netns: odd, reason: "accept-queue-full", count: 1 }],
      lost: 0,
      unattributed: 0,
      peaks: [{ key: web, netns: odd, depth: 2 }],
      strategy: "cgroup",
      hook: '/sys/fs/cgroup/x"y',
    });
    expect(text).toContain('netns="a\\"b\\\\c\\nd"');
    const e = parseExposition(text);
    expect(samplesOf(e, "synq_trace_drops_total", { netns: odd })).toHaveLength(1);
    expect(samplesOf(e, "synq_listener_accept_queue_peak", { netns: odd })[0]?.value).toBe(2);
    expect(samplesOf(e, "synq_trace_info")[0]?.labels.hook).toBe('/sys/fs/cgroup/x"y');
  });

  it("writes the counters at 0 and no peak series when nothing was dropped", async () => {
    const e = parseExposition(
      await render({
        drops: [],
        lost: 0,
        unattributed: 0,
        peaks: [],
        strategy: "fentry",
        hook: "",
      }),
    );
    expect(samplesOf(e, "synq_trace_drops_total")).toEqual([]);
    expect(samplesOf(e, "synq_listener_accept_queue_peak")).toEqual([]);
    expect(samplesOf(e, "synq_trace_lost_records_total")[0]?.value).toBe(0);
    expect(samplesOf(e, "synq_trace_info")[0]?.labels).toEqual({ strategy: "fentry", hook: "" });
  });
});

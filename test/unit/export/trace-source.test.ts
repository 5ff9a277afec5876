import { once } from "node:events";
import { statSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runTracedExport } from "../../../src/export/export-trace-run.js";
import { renderToString } from "../../../src/export/exposition-writer.js";
import { ExportTrace } from "../../../src/export/trace-source.js";
import { STATUS_SCHEMA_VERSION, type Status } from "../../../src/model/status.js";
import type { PeakEntry } from "../../../src/trace/bpf-maps.js";
import type { ListenerIdentity, ListenerKey } from "../../../src/trace/event-layout.js";
import { parseTraceFlags } from "../../../src/trace/flags.js";
import type { AttachedTracer, KernelSide } from "../../../src/trace/kernel-side.js";
import type { SessionDeps } from "../../../src/trace/session.js";
import type { TraceCounters } from "../../../src/trace/summary.js";
import { parseExposition, samplesOf } from "../../helpers/exposition.js";

const OWN = statSync("/proc/self/ns/net").ino;
const OTHER = OWN + 1;

/** A status of synq's own namespace alone, with no listener. */
const EMPTY_STATUS: Status = {
  schemaVersion: STATUS_SCHEMA_VERSION,
  generatedAt: "2026-01-01T00:00:00.000Z",
  kernel: { release: "6.18.0", synQueueRule: "rule" },
  intervalSeconds: null,
  namespaces: [],
};

const listener = (netnsIno: number, sockIno: number): ListenerIdentity => ({
  sockIno,
  family: 2,
  v6only: false,
  address: "127.0.0.1",
  port: 8080,
  netnsIno,
});

/** A tracer whose counters and pending peaks the test sets; it counts consume and close calls. */
function fakeTracer() {
  const state = {
    counters: { totals: [], listeners: [], remotes: [] } as TraceCounters,
    pending: [] as PeakEntry[],
    consumed: 0,
    closed: 0,
    resets: 0,
    forgotten: [] as ListenerKey[],
  };
  const tracer: AttachedTracer = {
    strategy: "tc",
    attempts: [],
    tcAttachments: [
      { ifname: "lo", ifindex: 1, hook: "tcx", handle: 0, priority: 0, createdQdisc: false },
    ] as unknown as AttachedTracer["tcAttachments"],
    cgroup: null,
    netnsIno: null,
    kernel: "6.18.0",
    consume: () => {
      state.consumed++;
      return 0;
    },
    lost: () => 0,
    counters: () => state.counters,
    forgetListeners: (keys) => {
      state.forgotten.push(...keys);
      return keys.length;
    },
    peaks: (reset) => {
      const out = state.pending;
      if (reset) {
        state.resets++;
        state.pending = [];
      }
      return out;
    },
    detach: () => [],
    close: () => {
      state.closed++;
      return [];
    },
  };
  const kernel: KernelSide = { open: async () => tracer };
  return { state, kernel };
}

function deps(kernel: KernelSide, clock: { now: number }): SessionDeps {
  return {
    kernel,
    names: { known: () => null, resolve: async () => null },
    owners: { known: () => [], resolve: async () => [] },
    clock: { toEpochMicros: (ns) => Number(ns / 1000n) },
    nowMs: () => clock.now,
  };
}

async function scrape(trace: ExportTrace, status: Status = EMPTY_STATUS) {
  return parseExposition(
    renderToString("prometheus", await trace.producer(Promise.resolve(status))),
  );
}

const opened: ExportTrace[] = [];
afterEach(() => {
  for (const t of opened.splice(0)) t.close();
});

async function open(windowSeconds: number) {
  const fake = fakeTracer();
  const clock = { now: 0 };
  const trace = await ExportTrace.open(
    parseTraceFlags({ strategy: "tc" }),
    windowSeconds,
    {},
    deps(fake.kernel, clock),
  );
  opened.push(trace);
  return { trace, fake, clock };
}

describe("the tracer behind synq export --trace", () => {
  it("exports the exact counters of the selected namespaces only, named as status names them", async () => {
    const { trace, fake } = await open(15);
    fake.state.counters.listeners = [
      { key: { ...listener(OWN, 1), reason: "accept-queue-full" }, count: 9 },
      { key: { ...listener(OTHER, 2), reason: "accept-queue-full" }, count: 4 },
    ];
    const e = await scrape(trace);
    expect(samplesOf(e, "synq_trace_drops_total")).toEqual([
      {
        name: "synq_trace_drops_total",
        labels: {
          netns: "",
          address: "127.0.0.1",
          port: "8080",
          family: "inet",
          reason: "accept-queue-full",
        },
        value: 9,
      },
    ]);
    expect(samplesOf(e, "synq_trace_info")[0]?.labels).toEqual({ strategy: "tc", hook: "tcx" });
    expect(samplesOf(e, "synq_trace_unattributed_drops_total")[0]?.value).toBe(0);
  });

  it("deletes the entries of sockets that closed after the scrape that read them last", async () => {
    const { trace, fake } = await open(15);
    const live = { key: { ...listener(OWN, 1), reason: "accept-queue-full" as const }, count: 2 };
    const closed = { key: { ...listener(OWN, 2), reason: "accept-queue-full" as const }, count: 5 };
    const elsewhere = {
      key: { ...listener(OTHER, 3), reason: "syn-queue-full" as const },
      count: 1,
    };
    fake.state.counters.listeners = [live, closed, elsewhere];
    const status = {
      ...EMPTY_STATUS,
      namespaces: [{ netns: "", listeners: [{ inode: 1 }] }],
    } as unknown as Status;
    const e = await scrape(trace, status);
    // Shown once more with its final count, then gone from the map.
    expect(samplesOf(e, "synq_trace_drops_total").map((s) => s.value)).toEqual([2, 5]);
    expect(fake.state.forgotten).toEqual([closed.key, elsewhere.key]);
  });

  it("gives every scrape the same peak over the window: a scrape resets nothing", async () => {
    const { trace, fake, clock } = await open(15);
    fake.state.pending = [{ key: listener(OWN, 1), depth: 3, max: 2 }];
    clock.now = 1000;
    await trace.tick();
    expect(fake.state.resets).toBe(1);
    expect(fake.state.consumed).toBe(1);
    clock.now = 2000;
    await trace.tick(); // nothing new: the window keeps the earlier read
    const peak = async () =>
      samplesOf(await scrape(trace), "synq_listener_accept_queue_peak").map((s) => s.value);
    expect(await peak()).toEqual([3]);
    expect(await peak()).toEqual([3]);
    clock.now = 15_999;
    expect(await peak()).toEqual([3]);
    clock.now = 16_000; // the read at 1 s left the 15 s window
    expect(await peak()).toEqual([]);
  });

  it("keeps the deepest read of the window", async () => {
    const { trace, fake, clock } = await open(5);
    for (const [at, depth] of [
      [1000, 2],
      [2000, 7],
      [3000, 4],
    ] as const) {
      fake.state.pending = [{ key: listener(OWN, 1), depth, max: 6 }];
      clock.now = at;
      await trace.tick();
    }
    const e = await scrape(trace);
    expect(samplesOf(e, "synq_listener_accept_queue_peak")[0]?.value).toBe(7);
    clock.now = 7000;
    expect(samplesOf(await scrape(trace), "synq_listener_accept_queue_peak")[0]?.value).toBe(4);
  });

  it("closes the tracer once, and ticks no more after", async () => {
    const { trace, fake } = await open(15);
    trace.close();
    trace.close();
    await trace.tick();
    expect(fake.state.closed).toBe(1);
    expect(fake.state.consumed).toBe(0);
  });
});

describe("synq export --trace's shutdown", () => {
  it("closes the tracer exactly once when the server cannot start", async () => {
    const taken = createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    const port = (taken.address() as { port: number }).port;
    const fake = fakeTracer();
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((text: string) => written.push(text) > 0) as typeof write;
    try {
      await expect(
        runTracedExport(
          {
            trace: parseTraceFlags({ strategy: "tc" }),
            peakWindowSeconds: 15,
            collect: { version: "0.0.0", maxSeries: null, allNetns: false },
            serve: { listen: { host: "127.0.0.1", port }, webConfig: undefined },
          },
          (req, w, sel) => ExportTrace.open(req, w, sel, deps(fake.kernel, { now: 0 })),
        ),
      ).rejects.toThrow(/in use/);
    } finally {
      process.stderr.write = write;
      taken.close();
    }
    expect(fake.state.closed).toBe(1);
    expect(written.join("")).toBe("synq export: tracing with tc\n");
    expect(process.listenerCount("SIGTERM")).toBe(0);
  });
});

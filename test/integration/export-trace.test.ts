/**
 * `synq export --trace` against the live kernel, in private namespaces: the tracer's exact
 * drop counts equal the kernel's own counters over the run (ListenOverflows for the two
 * accept-queue reasons, TCPReqQFullDrop for syn-queue-full), the peak gauge is the deepest an
 * accept queue can get (backlog + 1) and no scrape resets it, and nothing the tracer created
 * is left once synq export has exited.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import {
  bpfHeldBy,
  listenerMapEntries,
  qdiscKinds,
  waitUntilReleased,
} from "../helpers/bpf-state.js";
import { freePort, startExport } from "../helpers/export-server.js";
import { type Exposition, parseExposition, samplesOf } from "../helpers/exposition.js";
import { nstat, type RunningScenario, setNetnsSysctl, startScenario } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { SYNQ_ARGV } from "../helpers/run-synq.js";
import { useTraceNamespaces } from "../helpers/trace-namespaces.js";

const tools = ["ip", "ss", "nstat", "tc", "bpftool", "clang"];
const skip = missing(isRoot && tools.every(hasTool), `root with ${tools.join(", ")}`);
const netns = useTraceNamespaces();

const dir = mkdtempSync(join(tmpdir(), "synq-export-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Long enough for the flood (a node process started after synq attached, a second of clients
 * connecting) and its end, with margin: every drop happens while the tracer is attached.
 */
const DURATION_SECONDS = 6;

const V4 = { address: "0.0.0.0", port: 8080, backlog: 2 };
const DUAL = { address: "::", port: 9090, backlog: 4, v6only: false };

/** Clients that overflow both listeners; pending ones are given up at settle. */
const FLOOD = {
  connect: [
    { host: "127.0.0.1", port: 8080, count: 8 },
    { host: "127.0.0.1", port: 9090, count: 5 },
    { host: "::1", port: 9090, count: 5 },
  ],
  settleMs: 1000,
};

/** A `synq export --trace --textfile` run, started; resolves once the tracer is attached. */
async function startTracedTextfile(
  args: string[],
): Promise<{ child: ChildProcess; stderr: () => string; exited: Promise<number | null> }> {
  const [cmd, ...rest] = [...SYNQ_ARGV, "export", ...args] as [string, ...string[]];
  const child = spawn(cmd, rest, {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const deadline = Date.now() + 30_000;
  while (!/^synq export: tracing with \S+ for \d+ s$/m.test(err)) {
    if (child.exitCode !== null) throw new Error(`synq export exited before tracing:\n${err}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`synq export did not attach in time:\n${err}`);
    }
    await sleep(20);
  }
  return { child, stderr: () => err, exited };
}

const sum = (e: Exposition, name: string, match: Record<string, string>) =>
  samplesOf(e, name, match).reduce((a, s) => a + s.value, 0);

function counterDelta(before: Map<string, number>, after: Map<string, number>, name: string) {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

/** Runs the scenarios while `synq export --trace --textfile` traces `ns`; returns the file. */
async function traceToTextfile(
  ns: string,
  listeners: object,
  flood: object,
): Promise<{ metrics: Exposition; before: Map<string, number>; after: Map<string, number> }> {
  const file = join(dir, `${ns}.prom`);
  const qdiscsBefore = qdiscKinds(ns, "lo");
  let held: RunningScenario | null = await startScenario(ns, listeners);
  let flooding: RunningScenario | null = null;
  const before = nstat(ns);
  const run = await startTracedTextfile([
    ...["--netns", ns, "--trace", "--textfile", file, "--duration", String(DURATION_SECONDS)],
  ]);
  try {
    const bpf = bpfHeldBy(run.child.pid as number);
    expect(bpf.progs.length).toBeGreaterThan(0);
    flooding = await startScenario(ns, flood);
    // Closing the clients and listeners ends every drop; it must happen while tracing.
    await flooding.stop();
    await held.stop();
    held = null;
    await sleep(300);
    expect(run.child.exitCode, "the flood outlasted --duration: raise DURATION_SECONDS").toBeNull();
    const code = await run.exited;
    const after = nstat(ns);
    expect(code, run.stderr()).toBe(0);
    expect(run.stderr()).toMatch(
      new RegExp(`^synq export: tracing with \\S+ for ${DURATION_SECONDS} s\n$`),
    );
    expect(await waitUntilReleased(bpf)).toEqual([]);
    expect(qdiscKinds(ns, "lo")).toEqual(qdiscsBefore);
    expect(readdirSync(dir)).toContain(`${ns}.prom`);
    return { metrics: parseExposition(readFileSync(file, "utf8")), before, after };
  } finally {
    await flooding?.stop();
    await held?.stop();
    run.child.kill("SIGKILL");
  }
}

describe.skipIf(skip)("synq export --trace --textfile against the live kernel", () => {
  it("counts exactly the accept-queue overflows nstat counts, and the deepest queue of each listener", async () => {
    const ns = netns("synq-xtrace");
    setNetnsSysctl(ns, "net.ipv4.tcp_synack_retries", 1);
    const { metrics, before, after } = await traceToTextfile(
      ns,
      { listeners: [V4, DUAL], settleMs: 200 },
      FLOOD,
    );
    const overflows = counterDelta(before, after, "TcpExtListenOverflows");
    expect(overflows).toBeGreaterThan(0);
    const drops = (reason: string) => sum(metrics, "synq_trace_drops_total", { netns: ns, reason });
    expect(drops("accept-queue-full") + drops("accept-queue-full-ack")).toBe(overflows);
    expect(metrics.types.get("synq_trace_drops_total")).toBe("counter");

    // Both listeners filled up: each reached backlog + 1, under the labels status gives them.
    const peak = (labels: Record<string, string>) =>
      samplesOf(metrics, "synq_listener_accept_queue_peak", { netns: ns, ...labels }).map(
        (s) => s.value,
      );
    expect(peak({ address: "0.0.0.0", port: "8080", family: "inet" })).toEqual([V4.backlog + 1]);
    expect(peak({ address: "*", port: "9090", family: "dual" })).toEqual([DUAL.backlog + 1]);
    expect(sum(metrics, "synq_trace_drops_total", { netns: ns, port: "8080" })).toBeGreaterThan(0);
    expect(samplesOf(metrics, "synq_trace_lost_records_total").map((s) => s.value)).toEqual([0]);
    expect(samplesOf(metrics, "synq_trace_info")).toHaveLength(1);
    // Only the namespace asked for.
    for (const s of samplesOf(metrics, "synq_trace_drops_total")) expect(s.labels.netns).toBe(ns);
  });

  it("counts syn-queue-full (tcp_syncookies=0) exactly as TCPReqQFullDrop", async () => {
    const ns = netns("synq-xtrsyn");
    setNetnsSysctl(ns, "net.ipv4.tcp_syncookies", 0);
    const { metrics, before, after } = await traceToTextfile(
      ns,
      { listeners: [{ address: "127.0.0.1", port: 8080, backlog: 4 }], settleMs: 200 },
      { rawSyns: [{ src: "192.0.2.9", dst: "127.0.0.1", dport: 8080, count: 20 }], settleMs: 300 },
    );
    const full = counterDelta(before, after, "TcpExtTCPReqQFullDrop");
    expect(full).toBeGreaterThan(10);
    expect(sum(metrics, "synq_trace_drops_total", { netns: ns, reason: "syn-queue-full" })).toBe(
      full,
    );
  });
});

describe.skipIf(skip)("synq export --trace served against the live kernel", () => {
  it("serves one peak to every scrape, counters that only grow, and leaves nothing on SIGTERM", async () => {
    const ns = netns("synq-xtrsrv");
    setNetnsSysctl(ns, "net.ipv4.tcp_synack_retries", 1);
    const qdiscsBefore = qdiscKinds(ns, "lo");
    const listeners = await startScenario(ns, { listeners: [V4], settleMs: 200 });
    const port = await freePort();
    // tc through a clsact qdisc: the one strategy that adds something to the namespace.
    const server = await startExport([
      ...["--listen", `127.0.0.1:${port}`, "--netns", ns, "--trace"],
      ...["--strategy", "tc", "--tc-hook", "clsact"],
    ]);
    const floods: RunningScenario[] = [];
    try {
      const bpf = bpfHeldBy(server.child.pid as number);
      expect(qdiscKinds(ns, "lo")).toContain("clsact");
      const scrape = async () =>
        parseExposition(await (await fetch(`${server.base}/metrics`)).text());
      const flood = async () => {
        floods.push(
          await startScenario(ns, {
            connect: [{ host: "127.0.0.1", port: 8080, count: 6 }],
            settleMs: 1000,
          }),
        );
        await sleep(1500); // a tick of the tracer (1 s) has moved the peak into the window
      };
      await flood();
      const first = await scrape();
      await flood();
      const second = await scrape();

      const peak = (e: Exposition) =>
        samplesOf(e, "synq_listener_accept_queue_peak", { netns: ns, port: "8080" }).map(
          (s) => s.value,
        );
      expect(peak(first)).toEqual([V4.backlog + 1]);
      expect(peak(second)).toEqual(peak(first));
      const drops = (e: Exposition) => samplesOf(e, "synq_trace_drops_total", { netns: ns });
      expect(drops(first).length).toBeGreaterThan(0);
      for (const s of drops(first)) {
        const later = samplesOf(second, "synq_trace_drops_total", s.labels);
        expect(later).toHaveLength(1);
        expect(later[0]?.value).toBeGreaterThanOrEqual(s.value);
      }
      const total = (e: Exposition) => drops(e).reduce((a, s) => a + s.value, 0);
      expect(total(second)).toBeGreaterThan(total(first));
      expect(samplesOf(second, "synq_trace_info")[0]?.labels).toEqual({
        strategy: "tc",
        hook: "clsact",
      });

      const stopped = await server.stop("SIGTERM");
      expect(stopped, server.stderr()).toEqual({ code: 0, signal: null });
      expect(await waitUntilReleased(bpf)).toEqual([]);
      expect(qdiscKinds(ns, "lo")).toEqual(qdiscsBefore);
    } finally {
      await server.stop("SIGKILL");
      for (const f of floods) await f.stop();
      await listeners.stop();
    }
  });
});

describe.skipIf(skip)("synq export --trace over listeners that come and go", () => {
  it("deletes a closed listener's counters at the next collection, and counts its successor's", async () => {
    const ns = netns("synq-xtrgone");
    setNetnsSysctl(ns, "net.ipv4.tcp_synack_retries", 1);
    const server = await startExport([
      ...["--listen", `127.0.0.1:${await freePort()}`, "--netns", ns, "--trace"],
    ]);
    let listeners: RunningScenario | null = null;
    try {
      const bpf = bpfHeldBy(server.child.pid as number);
      const scrape = async () =>
        parseExposition(await (await fetch(`${server.base}/metrics`)).text());
      const drops = (e: Exposition) =>
        sum(e, "synq_trace_drops_total", { netns: ns, port: "8080" });
      /** A listener on 8080 that never accepts, flooded; returns ListenOverflows over it. */
      const floodNewListener = async () => {
        const before = nstat(ns);
        listeners = await startScenario(ns, { listeners: [V4], settleMs: 200 });
        const flood = await startScenario(ns, {
          connect: [{ host: "127.0.0.1", port: 8080, count: 8 }],
          settleMs: 1000,
        });
        await flood.stop();
        await sleep(300);
        return counterDelta(before, nstat(ns), "TcpExtListenOverflows");
      };

      const first = await floodNewListener();
      expect(first).toBeGreaterThan(0);
      expect(drops(await scrape())).toBe(first);
      expect(listenerMapEntries(bpf)).toBeGreaterThan(0);

      await (listeners as RunningScenario | null)?.stop();
      listeners = null;
      // The first collection after the close still shows the final count, and deletes it.
      expect(drops(await scrape())).toBe(first);
      expect(listenerMapEntries(bpf)).toBe(0);
      expect(samplesOf(await scrape(), "synq_trace_drops_total", { netns: ns })).toEqual([]);

      // A restarted service: a new socket on the same port, counted from 0 under its labels.
      const second = await floodNewListener();
      expect(second).toBeGreaterThan(0);
      expect(drops(await scrape())).toBe(second);
      expect(listenerMapEntries(bpf)).toBeGreaterThan(0);
      expect(
        samplesOf(await scrape(), "synq_trace_unattributed_drops_total").map((s) => s.value),
      ).toEqual([0]);
    } finally {
      await server.stop("SIGKILL");
      await (listeners as RunningScenario | null)?.stop();
    }
  });
});

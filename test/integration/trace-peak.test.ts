/**
 * The peak accept-queue depth against the live kernel, for each strategy under test (tc and
 * cgroup on this host; kprobe and fentry in the kernel-matrix VMs, which run this file too):
 * in a private namespace, a listener with a tiny backlog is filled by clients it does not
 * accept, held full while more clients retry into it, then emptied with accept(). The peak
 * synq read back must be the depth ss saw while it was full, though the queue is empty (ss: 0)
 * when it is read, and after the reset a second read must find nothing for the listener. A
 * burst: a backlog-64 listener that accepts nothing while 40 clients connect (at least 300 ms),
 * then drains at once, leaves a peak of 39–41 once ss sees an empty queue again, and a quiet
 * listener beside it none.
 */
import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_REASONS } from "../../src/trace/flags.js";
import { liveDeps, TraceSession } from "../../src/trace/session.js";
import { strategiesUnderTest } from "../helpers/bpf-state.js";
import { inNetns, type RunningScenario, startScenario } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { useTraceNamespaces } from "../helpers/trace-namespaces.js";
import { startTrace } from "../helpers/trace-run.js";
import { traceAround } from "../helpers/trace-scenarios.js";

const tools = ["ip", "ss", "nstat", "tc", "bpftool", "clang"];
const skip = missing(isRoot && tools.every(hasTool), `root with ${tools.join(", ")}`);

const strategies = skip ? [] : strategiesUnderTest();
const netns = useTraceNamespaces();

const PORT = 8080;
const BACKLOG = 3;
/** The deepest an accept queue gets: it is full when it holds more than the backlog. */
const FULL = BACKLOG + 1;

/** The burst: BURST connections into a BURST_BACKLOG queue left unaccepted for HOLD_MS. */
const BURST_PORT = 8081;
const CONTROL_PORT = 8082;
const BURST_BACKLOG = 64;
const BURST = 40;
const HOLD_MS = 300;

/** A listener's accept queue now, as ss samples it (Recv-Q of the LISTEN socket), and its inode. */
function sampled(ns: string, port = PORT): { depth: number; inode: number } {
  const line = inNetns(ns, "ss", ["-H", "-l", "-t", "-n", "-e", "sport", "=", `:${port}`]).trim();
  const fields = line.split(/\s+/);
  const inode = /ino:(\d+)/.exec(line);
  if (fields[0] !== "LISTEN" || !inode) throw new Error(`no listener on :${port} in ss: ${line}`);
  return { depth: Number(fields[1]), inode: Number(inode[1]) };
}

/**
 * Fills the listener's queue and holds it full: FULL + 2 clients, of which the two that find
 * it full retry their SYN after a second, into the full queue (and are given up at settle).
 */
function fillAndHold(ns: string): Promise<RunningScenario> {
  return startScenario(ns, {
    listeners: [{ address: "127.0.0.1", port: PORT, backlog: BACKLOG }],
    connect: [{ host: "127.0.0.1", port: PORT, count: FULL + 2 }],
    settleMs: 2500,
  });
}

/** A summary-only session on `ns`, keeping peaks or not. */
function openSession(strategy: string, ns: string, peaks: boolean): Promise<TraceSession> {
  return TraceSession.open(
    {
      strategy: strategy as (typeof strategies)[number],
      port: null,
      netns: ns,
      reasons: [...DEFAULT_REASONS],
      interfaces: [],
      tcHook: "auto",
      cgroup: null,
      durationSeconds: null,
      summaryOnly: true,
      peaks,
      json: true,
      verbose: false,
      maxEventsPerSec: 0,
      ringBufferKb: 64,
    },
    liveDeps(),
  );
}

describe.skipIf(skip).each(strategies)("peak accept-queue depth, --strategy %s", (strategy) => {
  it("readPeaks: the burst's depth after the queue is empty again, then nothing after the reset", async () => {
    const ns = netns("synq-peak");
    const nsInode = statSync(`/run/netns/${ns}`).ino;
    const session = await openSession(strategy, ns, true);
    try {
      const scenario = await fillAndHold(ns);
      const full = sampled(ns);
      expect(full.depth).toBe(FULL);
      expect(await scenario.acceptAll()).toBe(FULL);
      const after = sampled(ns);
      expect(after.depth).toBe(0);

      // Without a reset the window keeps running; the reset read then returns the same.
      const peek = session.readPeaks({ reset: false });
      const first = session.readPeaks({ reset: true }) ?? [];
      expect(peek).toEqual(first);
      console.info(
        `[figures] ${process.env.SYNQ_VM_KERNEL ?? "host"} ${strategy} peak: ss held ${full.depth}, then ${after.depth}; peaks read ${JSON.stringify(first.map((p) => [p.key.port, p.depth, p.max]))}`,
      );
      expect(first).toEqual([
        {
          key: {
            sockIno: full.inode,
            family: 2,
            v6only: false,
            address: "127.0.0.1",
            port: PORT,
            netnsIno: nsInode,
          },
          depth: FULL,
          max: BACKLOG,
        },
      ]);
      expect(first[0]?.depth).toBeGreaterThan(after.depth);
      // Reset: the new window has seen nothing of this listener.
      expect(session.readPeaks({ reset: true })).toEqual([]);
      await scenario.stop();
    } finally {
      session.close();
    }
  });

  it("a burst of 40 into a stalled backlog-64 listener: peak 39–41 though ss then sees 0; a quiet listener beside it has none", async () => {
    const ns = netns("synq-burst");
    const scenario = await startScenario(ns, {
      listeners: [
        { address: "127.0.0.1", port: BURST_PORT, backlog: BURST_BACKLOG },
        { address: "127.0.0.1", port: CONTROL_PORT, backlog: BURST_BACKLOG },
      ],
      settleMs: 0,
    });
    const session = await openSession(strategy, ns, true);
    try {
      // Nothing yet: the window opened by this read starts before the burst.
      session.readPeaks({ reset: true });
      const { connected, accepted } = await scenario.burst("127.0.0.1", BURST_PORT, BURST, HOLD_MS);
      // Every client got into the queue and the drain emptied it: the queue held all 40.
      expect(connected).toBe(BURST);
      expect(accepted).toBe(BURST);
      const burstAfter = sampled(ns, BURST_PORT);
      const control = sampled(ns, CONTROL_PORT);
      expect(burstAfter.depth).toBe(0);
      expect(control.depth).toBe(0);

      const peaks = session.readPeaks({ reset: true }) ?? [];
      console.info(
        `[figures] ${process.env.SYNQ_VM_KERNEL ?? "host"} ${strategy} burst: ${accepted} accepted, ss then ${burstAfter.depth}; peaks read ${JSON.stringify(peaks.map((p) => [p.key.port, p.depth, p.max]))}`,
      );
      const peakOf = (inode: number) =>
        peaks.filter((p) => p.key.sockIno === inode).reduce((m, p) => Math.max(m, p.depth), 0);
      expect(peakOf(burstAfter.inode)).toBeGreaterThanOrEqual(BURST - 1);
      expect(peakOf(burstAfter.inode)).toBeLessThanOrEqual(BURST + 1);
      expect(peaks.find((p) => p.key.sockIno === burstAfter.inode)).toMatchObject({
        key: { port: BURST_PORT, netnsIno: statSync(`/run/netns/${ns}`).ino },
        max: BURST_BACKLOG,
      });
      expect(peakOf(control.inode)).toBe(0);
    } finally {
      session.close();
      await scenario.stop();
    }
  });

  it("trace-drops --summary --json reports the listener's peak beside its drops", async () => {
    const ns = netns("synq-peaksum");
    let held = 0;
    const run = await traceAround(ns, ["--strategy", strategy, "--summary"], async () => {
      const scenario = await fillAndHold(ns);
      held = sampled(ns).depth;
      await scenario.acceptAll();
      await scenario.stop();
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(held).toBe(FULL);
    expect(run.summary.peaks).toEqual([
      expect.objectContaining({
        listener: expect.objectContaining({ address: "127.0.0.1", port: PORT, family: "inet" }),
        netns: expect.objectContaining({ name: ns }),
        acceptQueuePeak: FULL,
        acceptQueueMax: BACKLOG,
      }),
    ]);
    // The retried SYNs were dropped into the full queue, each seen at depth FULL.
    expect(run.summary.totals["accept-queue-full"]).toBe(run.listenOverflows);
    expect(run.listenOverflows).toBeGreaterThan(0);
  });
});

describe.skipIf(skip || strategies.length === 0)("trace-drops --summary, text", () => {
  it("prints the peak table: listener, namespace, peak, limit, process", async () => {
    const ns = netns("synq-peaktxt");
    const trace = await startTrace(
      ["--netns", ns, "--strategy", strategies[0] as string, "--summary"],
      {
        ready: (_out, err) => err.includes("synq: tracing"),
      },
    );
    try {
      const scenario = await fillAndHold(ns);
      await scenario.acceptAll();
      await scenario.stop();
      expect(await trace.stop("SIGINT"), trace.stderr()).toBe(0);
      const text = trace.stdout();
      expect(text).toContain(
        "Peak accept-queue depth by listener (deepest seen by a SYN or final ACK,",
      );
      expect(text).toMatch(/LISTENER +NETNS +PEAK +QMAX +PROCESS/);
      expect(text).toMatch(new RegExp(`127\\.0\\.0\\.1:${PORT} +${ns} +${FULL} +${BACKLOG} +\\S+`));
    } finally {
      await trace.stop("SIGKILL");
    }
  });
});

describe.skipIf(skip || strategies.length === 0)("a session that keeps no peaks", () => {
  it("still traces, but readPeaks is null and the summary has no peaks", async () => {
    const ns = netns("synq-nopeak");
    const session = await openSession(strategies[0] as string, ns, false);
    try {
      const scenario = await fillAndHold(ns);
      expect(sampled(ns).depth).toBe(FULL);
      await scenario.acceptAll();
      await scenario.stop();
      expect(session.readPeaks({ reset: true })).toBeNull();
      const summary = await session.summary(0);
      expect(summary).not.toHaveProperty("peaks");
      expect(summary.totals["accept-queue-full"]).toBeGreaterThan(0);
    } finally {
      session.close();
    }
  });
});

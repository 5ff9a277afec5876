/**
 * The drops beyond a full accept queue, and the flags that choose what is reported: for each
 * strategy under test (see strategiesUnderTest; the kernel matrix runs this file too), synq's syn-queue-full count must equal TcpExtTCPReqQFullDrop
 * and its cookie-sent count TcpExtSyncookiesSent; --port and --reason narrow the report;
 * --max-events-per-sec limits the printing, never the counting; a ring buffer too small for
 * a burst loses records, says so, and still counts every drop.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { strategiesUnderTest } from "../helpers/bpf-state.js";
import { nstat, setNetnsSysctl, startScenario } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { useTraceNamespaces } from "../helpers/trace-namespaces.js";
import { splitRecords, startTrace } from "../helpers/trace-run.js";
import {
  acceptQueueDrops,
  addLoopbackAddresses,
  holdAcks,
  logFigures,
  releaseAcks,
  traceAround,
} from "../helpers/trace-scenarios.js";

const tools = ["ip", "ss", "nstat", "tc", "bpftool", "clang", "nft"];
const skip = missing(isRoot && tools.every(hasTool), `root with ${tools.join(", ")}`);
const strategies = skip ? [] : strategiesUnderTest();

const netns = useTraceNamespaces();

/** Counter deltas around `fn`, in `ns`. */
async function counterDelta(ns: string, names: string[], fn: () => Promise<void>) {
  const before = nstat(ns);
  await fn();
  const after = nstat(ns);
  return Object.fromEntries(names.map((n) => [n, (after.get(n) ?? 0) - (before.get(n) ?? 0)]));
}

describe.skipIf(skip).each(strategies)("synq trace-drops --strategy %s", (strategy) => {
  it("syn-queue-full (tcp_syncookies=0) equals TCPReqQFullDrop", async () => {
    const ns = netns("synq-synq");
    setNetnsSysctl(ns, "net.ipv4.tcp_syncookies", 0);
    let delta: Record<string, number> = {};
    const run = await traceAround(ns, ["--strategy", strategy], async () => {
      const s = await startScenario(ns, {
        listeners: [{ address: "127.0.0.1", port: 8080, backlog: 4 }],
        settleMs: 200,
      });
      delta = await counterDelta(ns, ["TcpExtTCPReqQFullDrop"], async () => {
        const flood = await startScenario(ns, {
          rawSyns: [{ src: "192.0.2.9", dst: "127.0.0.1", dport: 8080, count: 20 }],
          settleMs: 300,
        });
        await flood.stop();
      });
      await s.stop();
    });
    logFigures(`syn-queue-full (TCPReqQFullDrop ${delta.TcpExtTCPReqQFullDrop})`, run);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(delta.TcpExtTCPReqQFullDrop).toBeGreaterThan(10);
    expect(run.summary.totals["syn-queue-full"]).toBe(delta.TcpExtTCPReqQFullDrop);
    expect(run.drops.every((d) => d.reason === "syn-queue-full")).toBe(true);
    expect(run.drops.every((d) => d.remote.address === "192.0.2.9" && d.syncookies === 0)).toBe(
      true,
    );
  });

  it("--cookies: cookie-sent equals SyncookiesSent", async () => {
    const ns = netns("synq-cookie");
    let delta: Record<string, number> = {};
    const run = await traceAround(
      ns,
      ["--strategy", strategy, "--cookies", "--reason", "cookie-sent"],
      async () => {
        const s = await startScenario(ns, {
          listeners: [{ address: "127.0.0.1", port: 8080, backlog: 4 }],
          settleMs: 200,
        });
        delta = await counterDelta(ns, ["TcpExtSyncookiesSent"], async () => {
          const flood = await startScenario(ns, {
            rawSyns: [{ src: "192.0.2.10", dst: "127.0.0.1", dport: 8080, count: 20 }],
            settleMs: 300,
          });
          await flood.stop();
        });
        await s.stop();
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.start.reasons).toEqual(["cookie-sent"]);
    expect(delta.TcpExtSyncookiesSent).toBeGreaterThan(10);
    expect(run.summary.totals).toEqual({ "cookie-sent": delta.TcpExtSyncookiesSent });
    expect(run.drops).toHaveLength(delta.TcpExtSyncookiesSent as number);
  });

  it("--port reports one listener, --reason one kind of drop", async () => {
    const ns = netns("synq-filter");
    addLoopbackAddresses(ns, ["127.0.0.2", "127.0.0.3"]);
    const run = await traceAround(
      ns,
      ["--strategy", strategy, "--port", "9090", "--reason", "accept-queue-full-ack"],
      async () => {
        // .2's ACKs to 9090 are held (3 requests wait); .3 overflows 8080 and fills 9090.
        holdAcks(ns, "127.0.0.2", 9090);
        const settleMs = 300;
        const clients = await startScenario(ns, {
          listeners: [
            { address: "127.0.0.1", port: 8080, backlog: 1 },
            { address: "127.0.0.1", port: 9090, backlog: 4 },
          ],
          connect: [
            { host: "127.0.0.1", port: 9090, count: 3, localAddress: "127.0.0.2" },
            { host: "127.0.0.1", port: 8080, count: 6, localAddress: "127.0.0.3" },
            { host: "127.0.0.1", port: 9090, count: 8, localAddress: "127.0.0.3" },
          ],
          settleMs,
        });
        await releaseAcks(ns, Date.now() - settleMs);
        await clients.stop();
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.start.port).toBe(9090);
    expect(run.summary.totals).toEqual({ "accept-queue-full-ack": expect.any(Number) });
    expect(run.summary.totals["accept-queue-full-ack"]).toBeGreaterThan(0);
    // Port 8080 overflowed too (SYN-time), and 9090 at SYN time: neither is reported.
    expect(run.listenOverflows).toBeGreaterThan(acceptQueueDrops(run.summary));
    for (const d of run.drops) {
      expect(d.listener.port).toBe(9090);
      expect(d.reason).toBe("accept-queue-full-ack");
    }
    expect(run.summary.listeners.map((l) => l.listener.port)).toEqual([9090]);
  });
});

describe.skipIf(skip)("printing limits and lost records", () => {
  /** A listener whose accept queue is already full, then `count` spoofed SYNs at once. */
  async function burst(ns: string, count: number) {
    const s = await startScenario(ns, {
      listeners: [{ address: "127.0.0.1", port: 8080, backlog: 1 }],
      connect: [{ host: "127.0.0.1", port: 8080, count: 2 }],
      settleMs: 300,
    });
    const flood = await startScenario(ns, {
      rawSyns: [{ src: "192.0.2.11", dst: "127.0.0.1", dport: 8080, count }],
      settleMs: 300,
    });
    await flood.stop();
    await s.stop();
  }

  it("--max-events-per-sec limits the lines printed, not the counts", async () => {
    const ns = netns("synq-limit");
    const run = await traceAround(ns, ["--max-events-per-sec", "5"], () => burst(ns, 60));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(acceptQueueDrops(run.summary)).toBe(run.listenOverflows);
    expect(run.listenOverflows).toBeGreaterThanOrEqual(60);
    const perSecond = new Map<number, number>();
    for (const d of run.drops) {
      const s = Math.floor(d.timeUs / 1e6);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(5);
    expect(run.summary.events.notPrinted).toBe(run.summary.events.delivered - run.drops.length);
    expect(run.summary.events.notPrinted).toBeGreaterThan(0);
  });

  it("a full ring buffer loses records, reports it, and still counts every drop", async () => {
    const ns = netns("synq-lost");
    const trace = await startTrace(["--json", "--netns", ns, "--ring-buffer-kb", "4"]);
    let lines: string;
    let overflows: number;
    try {
      const before = nstat(ns).get("TcpExtListenOverflows") ?? 0;
      await burst(ns, 400);
      await sleep(300);
      overflows = (nstat(ns).get("TcpExtListenOverflows") ?? 0) - before;
      expect(await trace.stop("SIGINT")).toBe(0);
      lines = trace.stdout();
    } finally {
      await trace.stop("SIGKILL");
    }
    const { summary, drops } = splitRecords(lines);
    expect(acceptQueueDrops(summary)).toBe(overflows);
    expect(summary.events.lost).toBeGreaterThan(0);
    expect(summary.events.delivered + summary.events.lost).toBe(acceptQueueDrops(summary));
    expect(drops).toHaveLength(summary.events.delivered);
    // Said in a record of its own, not only in the summary.
    expect(lines).toMatch(/"type":"lost"/);
  });
});

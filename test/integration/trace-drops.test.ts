/**
 * synq trace-drops against the live kernel, for each strategy under test (tc and cgroup on
 * this host, tc through both its hooks where the kernel has tcx; kprobe and fentry in the
 * kernel-matrix VMs, which run this file too: see strategiesUnderTest): in a private
 * namespace, listeners with tiny backlogs that never accept() are flooded over loopback from
 * known client addresses, and what synq reports is compared with the kernel's own counters
 * (TcpExtListenOverflows, each listener's sk_drops).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { strategiesUnderTest, tcxSupported } from "../helpers/bpf-state.js";
import { startScenario } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { useTraceNamespaces } from "../helpers/trace-namespaces.js";
import {
  acceptQueueDrops,
  addLoopbackAddresses,
  holdAcks,
  listenerDrops,
  logFigures,
  releaseAcks,
  traceAround,
} from "../helpers/trace-scenarios.js";

const tools = ["ip", "ss", "nstat", "tc", "bpftool", "clang", "nft"];
const skip = missing(isRoot && tools.every(hasTool), `root with ${tools.join(", ")}`);

const strategies = skip ? [] : strategiesUnderTest();
const netns = useTraceNamespaces();

/** Each strategy under test; tc a second time through clsact where it defaults to tcx. */
const variants = strategies.flatMap((strategy) => [
  { label: strategy, strategy, args: ["--strategy", strategy] },
  ...(strategy === "tc" && tcxSupported()
    ? [
        {
          label: "tc --tc-hook clsact",
          strategy,
          args: ["--strategy", "tc", "--tc-hook", "clsact"],
        },
      ]
    : []),
]);

describe.skipIf(skip).each(variants)("synq trace-drops --strategy $label", ({ strategy, args }) => {
  it("IPv4: accept-queue drops equal ListenOverflows, every remote is a client", async () => {
    const ns = netns("synq-trace4");
    addLoopbackAddresses(ns, ["127.0.0.2", "127.0.0.3"]);
    const run = await traceAround(ns, args, async () => {
      const s = await startScenario(ns, {
        listeners: [{ address: "127.0.0.1", port: 8080, backlog: 2 }],
        connect: [
          { host: "127.0.0.1", port: 8080, count: 8, localAddress: "127.0.0.2" },
          { host: "127.0.0.1", port: 8080, count: 8, localAddress: "127.0.0.3" },
        ],
        settleMs: 2500,
      });
      await s.stop();
    });
    logFigures("IPv4", run);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.start.strategy).toBe(strategy);
    expect(run.start.tcHook).toBe(
      strategy !== "tc" ? null : args.includes("clsact") ? "clsact" : "tcx",
    );
    expect(run.listenOverflows).toBeGreaterThan(10);
    expect(acceptQueueDrops(run.summary)).toBe(run.listenOverflows);
    // Every drop was delivered as an event, and each names a client and the listener.
    expect(run.summary.events.lost).toBe(0);
    expect(run.drops).toHaveLength(acceptQueueDrops(run.summary));
    for (const d of run.drops) {
      expect(["127.0.0.2", "127.0.0.3"]).toContain(d.remote.address);
      expect(d.listener).toMatchObject({ address: "127.0.0.1", port: 8080, family: "inet" });
      expect(d.destination).toEqual({ address: "127.0.0.1", port: 8080 });
      expect(d.netns.name).toBe(ns);
      expect(d.acceptQueueMax).toBe(2);
      expect(d.listener.processes.map((p) => p.command)).toContain("node");
    }
    expect(run.summary.listeners).toHaveLength(1);
    expect(run.summary.remotes.map((r) => r.prefix)).toEqual(["127.0.0.0/24"]);
  });

  it("IPv6: accept-queue drops equal ListenOverflows, every remote is a client", async () => {
    const ns = netns("synq-trace6");
    addLoopbackAddresses(ns, ["fd00:5eed::2", "fd00:5eed::3"]);
    const run = await traceAround(ns, args, async () => {
      const s = await startScenario(ns, {
        listeners: [{ address: "::1", port: 8443, backlog: 2, v6only: true }],
        connect: [
          { host: "::1", port: 8443, count: 6, localAddress: "fd00:5eed::2" },
          { host: "::1", port: 8443, count: 6, localAddress: "fd00:5eed::3" },
        ],
        settleMs: 2500,
      });
      await s.stop();
    });
    logFigures("IPv6", run);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.listenOverflows).toBeGreaterThan(5);
    expect(acceptQueueDrops(run.summary)).toBe(run.listenOverflows);
    expect(run.drops).toHaveLength(acceptQueueDrops(run.summary));
    for (const d of run.drops) {
      expect(["fd00:5eed::2", "fd00:5eed::3"]).toContain(d.remote.address);
      expect(d.family).toBe("inet6");
      expect(d.listener).toMatchObject({ address: "::1", port: 8443, family: "inet6" });
    }
    expect(run.summary.remotes.map((r) => r.prefix)).toEqual(["fd00:5eed::/64"]);
  });

  it("two listeners at once: each drop is attributed to its own listener", async () => {
    const ns = netns("synq-trace2");
    addLoopbackAddresses(ns, ["127.0.0.2", "127.0.0.3", "fd00:5eed::3"]);
    let sk: Map<string, number> = new Map();
    const run = await traceAround(ns, args, async () => {
      const s = await startScenario(ns, {
        listeners: [
          { address: "127.0.0.1", port: 8080, backlog: 2 },
          { address: "::", port: 9090, backlog: 3, v6only: false },
        ],
        connect: [
          { host: "127.0.0.1", port: 8080, count: 7, localAddress: "127.0.0.2" },
          { host: "127.0.0.1", port: 9090, count: 5, localAddress: "127.0.0.3" },
          { host: "::1", port: 9090, count: 5, localAddress: "fd00:5eed::3" },
        ],
        settleMs: 2500,
      });
      await sleep(200);
      // Per-listener drop counters, read while the listeners still exist.
      sk = listenerDrops(ns);
      await s.stop();
    });
    logFigures(`two listeners (sk_drops ${[...sk].map(([k, v]) => `${k}=${v}`).join(" ")})`, run);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(acceptQueueDrops(run.summary)).toBe(run.listenOverflows);
    const v4 = run.summary.listeners.find((l) => l.listener.port === 8080);
    const dual = run.summary.listeners.find((l) => l.listener.port === 9090);
    expect(v4?.listener).toMatchObject({ address: "127.0.0.1", family: "inet" });
    expect(dual?.listener).toMatchObject({ address: "::", family: "dual" });
    // SYN-time overflows only: each bumps the listener's sk_drops once.
    expect(v4?.total).toBe(sk.get("127.0.0.1:8080"));
    expect(dual?.total).toBe(sk.get("*:9090"));
    expect(v4?.total).toBeGreaterThan(0);
    expect(dual?.total).toBeGreaterThan(0);
    for (const d of run.drops) {
      if (d.listener.port === 8080) expect(d.remote.address).toBe("127.0.0.2");
      else expect(["127.0.0.3", "fd00:5eed::3"]).toContain(d.remote.address);
    }
    // v4 clients of the dual-stack listener arrive as IPv4 packets.
    expect(run.drops.some((d) => d.listener.port === 9090 && d.family === "inet")).toBe(true);
    expect(run.drops.some((d) => d.listener.port === 9090 && d.family === "inet6")).toBe(true);
  });

  it("final-ACK overflow: requests that complete into a full accept queue", async () => {
    const ns = netns("synq-traceack");
    addLoopbackAddresses(ns, ["127.0.0.2", "127.0.0.3"]);
    const run = await traceAround(ns, args, async () => {
      // Clients at .2 get SYN-ACKs but their ACKs are held: 6 requests wait in SYN-RECV.
      // Clients at .3 then complete and fill the accept queue (9 = backlog + 1). One process,
      // so the release below comes settleMs after the SYNs however slowly processes start.
      holdAcks(ns, "127.0.0.2", 8080);
      const settleMs = 300;
      const clients = await startScenario(ns, {
        listeners: [{ address: "127.0.0.1", port: 8080, backlog: 8 }],
        connect: [
          { host: "127.0.0.1", port: 8080, count: 6, localAddress: "127.0.0.2" },
          { host: "127.0.0.1", port: 8080, count: 9, localAddress: "127.0.0.3" },
        ],
        settleMs,
      });
      // Released: the next SYN-ACK retransmissions are answered into a full queue.
      await releaseAcks(ns, Date.now() - settleMs);
      await clients.stop();
    });
    logFigures("final-ACK overflow", run);
    expect(run.exitCode, run.stderr).toBe(0);
    const ack = run.summary.totals["accept-queue-full-ack"] ?? 0;
    expect(ack).toBeGreaterThan(0);
    expect(acceptQueueDrops(run.summary)).toBe(run.listenOverflows);
    for (const d of run.drops.filter((x) => x.reason === "accept-queue-full-ack")) {
      expect(d.remote.address).toBe("127.0.0.2");
      expect(d.acceptQueue).toBeGreaterThan(d.acceptQueueMax);
    }
  });
});

/**
 * Building blocks for the tracer's live tests: run `synq trace-drops` around a scenario in a
 * private namespace and return what it printed next to the kernel's own counters; hold back
 * clients' final ACKs with nftables; read per-listener drop counters with ss.
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { TraceDrop, TraceStart, TraceSummary } from "../../src/model/trace.js";
import { inNetns, nstat } from "./netns.js";
import { splitRecords, startTrace } from "./trace-run.js";

/** What one traced run produced. */
export interface TracedRun {
  start: TraceStart;
  drops: TraceDrop[];
  summary: TraceSummary;
  /** TcpExtListenOverflows delta over the run, in the traced namespace. */
  listenOverflows: number;
  stderr: string;
  exitCode: number | null;
}

/**
 * Starts synq (JSON) in `ns`, reads ListenOverflows, runs `scenario` (which must leave no
 * listener behind: drops stop when it returns), reads ListenOverflows again, stops synq.
 */
export async function traceAround(
  ns: string,
  args: string[],
  scenario: () => Promise<void>,
): Promise<TracedRun> {
  const trace = await startTrace(["--json", "--netns", ns, ...args]);
  try {
    const before = nstat(ns).get("TcpExtListenOverflows") ?? 0;
    await scenario();
    await sleep(200);
    const after = nstat(ns).get("TcpExtListenOverflows") ?? 0;
    const exitCode = await trace.stop("SIGINT");
    return {
      ...splitRecords(trace.stdout()),
      listenOverflows: after - before,
      stderr: trace.stderr(),
      exitCode,
    };
  } finally {
    await trace.stop("SIGKILL");
  }
}

/** Accept-queue drops synq reported in total (SYN-time + ACK-time). */
export function acceptQueueDrops(s: TraceSummary): number {
  return (s.totals["accept-queue-full"] ?? 0) + (s.totals["accept-queue-full-ack"] ?? 0);
}

/** Adds addresses to lo in `ns` (IPv6 without duplicate address detection). */
export function addLoopbackAddresses(ns: string, addresses: string[]): void {
  for (const a of addresses) {
    const v6 = a.includes(":");
    execFileSync("ip", [
      "-n",
      ns,
      ...(v6 ? ["-6"] : []),
      "addr",
      "add",
      `${a}/${v6 ? 128 : 32}`,
      "dev",
      "lo",
      ...(v6 ? ["nodad"] : []),
    ]);
  }
}

/**
 * Drops the final ACKs (and only those: ACK set, SYN/RST clear) that clients at `saddr` send
 * to `dport`, in the output hook: they never reach the listener, nor any ingress hook, so
 * their handshakes stay in SYN-RECV until releaseAcks().
 */
export function holdAcks(ns: string, saddr: string, dport: number): void {
  const family = saddr.includes(":") ? "ip6" : "ip";
  const ruleset = `table inet synq_hold_acks {
  chain out {
    type filter hook output priority 0; policy accept;
    ${family} saddr ${saddr} tcp dport ${dport} tcp flags & (syn | ack | rst) == ack drop
  }
}
`;
  execFileSync("ip", ["netns", "exec", ns, "nft", "-f", "-"], { input: ruleset });
}

/** A request's SYN-ACK retransmissions, in ms after its SYN (1 s doubling, 5 retries). */
const SYNACK_RETRANSMITS_MS = [1_000, 3_000, 7_000, 15_000, 31_000];

/**
 * Removes holdAcks()'s rule, then waits until the held requests have certainly had one more
 * SYN-ACK retransmission, whose ACK now reaches the listener. `synsAt`: when their SYNs went
 * out, as their scenario tells it (its `ready` less its settleMs), which may be up to 2 s late
 * where timers are (emulated kernels, VMs sharing the cores). Timed from the SYNs, not from
 * the release: a release after the 7 s retransmission waits for the one at 15 s.
 */
export async function releaseAcks(ns: string, synsAt: number): Promise<void> {
  inNetns(ns, "nft", ["delete", "table", "inet", "synq_hold_acks"]);
  const released = Date.now();
  const next = SYNACK_RETRANSMITS_MS.find((t) => synsAt - 2_000 + t > released + 200);
  if (next === undefined) throw new Error("the held requests have no SYN-ACK retransmission left");
  // The retransmission, the ACK and the drop, with room for a late timer.
  await sleep(Math.max(0, synsAt + next + 2_500 - Date.now()));
}

/** Per-listener drop counters (sk_drops, `ss -m` d) by local address:port as ss prints it. */
export function listenerDrops(ns: string): Map<string, number> {
  const out = inNetns(ns, "ss", ["-H", "-l", "-t", "-n", "-m"]);
  const drops = new Map<string, number>();
  let local: string | null = null;
  for (const line of out.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === "LISTEN") local = fields[3] ?? null;
    const m = /skmem:\(.*,d(\d+)\)/.exec(line);
    if (m && local !== null) {
      drops.set(local, Number(m[1]));
      local = null;
    }
  }
  return drops;
}

/** One line of figures for the test log: what synq counted against the kernel. */
export function logFigures(label: string, run: TracedRun): void {
  const t = run.summary.totals;
  const kernel = process.env.SYNQ_VM_KERNEL ?? "host";
  console.info(
    `[figures] ${kernel} ${run.start.strategy} ${label}: synq accept-queue-full ${t["accept-queue-full"] ?? 0} + accept-queue-full-ack ${t["accept-queue-full-ack"] ?? 0} = ${acceptQueueDrops(run.summary)}, ListenOverflows delta ${run.listenOverflows}, events ${run.drops.length}, lost ${run.summary.events.lost}`,
  );
}

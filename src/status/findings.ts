import type { Counter, Finding, Listener, Severity } from "../model/status.js";

/** What the findings rules look at for one network namespace. */
export interface FindingsInput {
  netns: string;
  sysctls: ReadonlyMap<string, number | null>;
  listeners: readonly Listener[];
  counters: readonly Counter[];
  /** Seconds between the two samples, or null for a single snapshot. */
  intervalSeconds: number | null;
}

/** Fill level (percent) from which a queue is reported as nearly full. */
export const NEAR_FULL_PERCENT = 80;

/** Severities, most severe first: sort by `SEVERITY_ORDER[s]` ascending. */
export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = {
  critical: 0,
  warning: 1,
  info: 2,
};

function counter(counters: readonly Counter[], name: string): Counter | undefined {
  return counters.find((c) => c.name === name);
}

/** The sysctls every listener's rules read, looked up once per namespace. */
interface ListenerContext {
  netns: string;
  somaxconn: number | null;
  syncookies: number | null;
}

function listenerFindings(ctx: ListenerContext, l: Listener, out: Finding[]): void {
  const { somaxconn, syncookies } = ctx;
  const add = (severity: Severity, code: string, message: string, fix: string) =>
    out.push({ severity, code, netns: ctx.netns, listener: l.local, message, fix });
  // Built only when a finding needs it: most of 10,000 listeners have none.
  const raiseBacklog = () => {
    const who = l.processes.length
      ? ` (${[...new Set(l.processes.map((p) => p.command))].join(", ")})`
      : "";
    return (
      `accept faster, or raise the listen() backlog of ${l.local}${who}` +
      (somaxconn !== null ? ` and net.core.somaxconn (now ${somaxconn})` : "")
    );
  };

  const aq = l.acceptQueue;
  if (aq.depth > aq.backlog) {
    add(
      "critical",
      "accept-queue-full",
      `accept queue full: ${aq.depth} connections wait for accept() with backlog ${aq.backlog}; new SYNs and final ACKs are dropped`,
      raiseBacklog(),
    );
  } else if (aq.fillPercent >= NEAR_FULL_PERCENT) {
    add(
      "warning",
      "accept-queue-near-full",
      `accept queue ${aq.fillPercent}% full (${aq.depth} of ${aq.backlog + 1})`,
      raiseBacklog(),
    );
  }

  if (l.dropsPerSecond !== null && l.dropsPerSecond > 0) {
    add(
      "critical",
      "listener-dropping",
      `dropping ${l.dropsPerSecond.toFixed(1)} SYNs/ACKs per second now`,
      raiseBacklog(),
    );
  } else if (l.drops !== null && l.drops > 0 && l.dropsPerSecond === null) {
    add(
      "warning",
      "listener-dropped",
      `dropped ${l.drops} SYNs/ACKs since it started listening`,
      raiseBacklog(),
    );
  }

  if (somaxconn !== null && aq.backlog === somaxconn) {
    // Capped backlogs matter when the queue is used: then warn; otherwise just note it.
    const pressured = aq.depth > 0 || (l.drops ?? 0) > 0;
    add(
      pressured ? "warning" : "info",
      "backlog-capped",
      `backlog ${aq.backlog} equals net.core.somaxconn: the application's listen() backlog was probably capped`,
      `sysctl -w net.core.somaxconn=${Math.max(4096, somaxconn * 4)} (persist it in /etc/sysctl.d/) and restart the listener`,
    );
  }

  const sq = l.synQueue;
  if (syncookies !== 2 && sq.depth > 0 && sq.fillPercent >= NEAR_FULL_PERCENT) {
    const full = sq.depth >= sq.limit;
    add(
      full ? "critical" : "warning",
      full ? "syn-queue-full" : "syn-queue-near-full",
      `SYN queue ${full ? "full" : `${sq.fillPercent}% full`}: ${sq.depth} of ${sq.limit} request sockets in SYN-RECV` +
        (syncookies === 0 ? "; further SYNs are dropped" : "; further SYNs get SYN cookies"),
      `raise the listen() backlog of ${l.local} (it also sizes the SYN queue); if clients do not complete handshakes (SYN flood), keep tcp_syncookies=1 and consider lowering net.ipv4.tcp_synack_retries`,
    );
  }
}

function namespaceFindings(input: FindingsInput): Finding[] {
  const out: Finding[] = [];
  const add = (severity: Severity, code: string, message: string, fix: string) =>
    out.push({ severity, code, netns: input.netns, listener: null, message, fix });
  const syncookies = input.sysctls.get("net.ipv4.tcp_syncookies") ?? null;
  const timestamps = input.sysctls.get("net.ipv4.tcp_timestamps") ?? null;
  const abort = input.sysctls.get("net.ipv4.tcp_abort_on_overflow") ?? null;

  if (syncookies === 0) {
    add(
      "warning",
      "syncookies-disabled",
      "net.ipv4.tcp_syncookies=0: a full SYN queue drops new connections, and a SYN flood takes listeners down",
      "sysctl -w net.ipv4.tcp_syncookies=1",
    );
  }
  if (timestamps === 0 && syncookies !== 0) {
    add(
      "warning",
      "timestamps-disabled",
      "net.ipv4.tcp_timestamps=0: connections set up with SYN cookies lose window scaling, SACK and ECN",
      "sysctl -w net.ipv4.tcp_timestamps=1",
    );
  }
  if (abort === 1) {
    add(
      "warning",
      "abort-on-overflow",
      "net.ipv4.tcp_abort_on_overflow=1: a momentarily full accept queue resets clients instead of letting them retry",
      "sysctl -w net.ipv4.tcp_abort_on_overflow=0, and size the backlog for the bursts",
    );
  }

  const sent = counter(input.counters, "TcpExt.SyncookiesSent");
  // With tcp_syncookies=2 every SYN gets a cookie by design: nothing to report.
  if (syncookies === 2) {
    // fall through to the overflow checks
  } else if (sent?.perSecond !== null && sent?.perSecond !== undefined && sent.perSecond > 0) {
    add(
      "warning",
      "syncookies-sending",
      `sending ${sent.perSecond.toFixed(1)} SYN cookies per second: a SYN queue is full (SYN flood or too small a backlog)`,
      "find the listener with a full SYN queue above; raise its backlog, or trace the sources with synq trace-drops --cookies",
    );
  } else if (sent?.value && sent.perSecond === null) {
    add(
      "info",
      "syncookies-sent",
      `${sent.value} SYN cookies sent since boot: a SYN queue overflowed at some point`,
      "rerun with --interval 5 to see whether it is happening now",
    );
  }

  const overflows = counter(input.counters, "TcpExt.ListenOverflows");
  if (
    overflows?.perSecond !== null &&
    overflows?.perSecond !== undefined &&
    overflows.perSecond > 0
  ) {
    add(
      "critical",
      "listen-overflows",
      `${overflows.perSecond.toFixed(1)} accept-queue overflows per second in this namespace`,
      "see which listener is dropping above; trace the drops with synq trace-drops",
    );
  }
  const reqqDrop = counter(input.counters, "TcpExt.TCPReqQFullDrop");
  if (reqqDrop?.perSecond !== null && reqqDrop?.perSecond !== undefined && reqqDrop.perSecond > 0) {
    add(
      "critical",
      "syn-queue-drops",
      `${reqqDrop.perSecond.toFixed(1)} SYNs per second dropped because a SYN queue is full and cookies are off`,
      "sysctl -w net.ipv4.tcp_syncookies=1, and raise the listener's backlog",
    );
  }
  return out;
}

/** Every problem found in one namespace, most severe first. No finding for a healthy listener. */
export function findProblems(input: FindingsInput): Finding[] {
  const ctx: ListenerContext = {
    netns: input.netns,
    somaxconn: input.sysctls.get("net.core.somaxconn") ?? null,
    syncookies: input.sysctls.get("net.ipv4.tcp_syncookies") ?? null,
  };
  const all: Finding[] = [];
  for (const l of input.listeners) listenerFindings(ctx, l, all);
  all.push(...namespaceFindings(input));
  return all.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

/** Whether a finding should make `--check` fail. */
export function failsCheck(f: Finding): boolean {
  return f.severity !== "info";
}

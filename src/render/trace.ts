/**
 * Human output of `synq trace-drops`: a header and one fixed-width line per drop (streamed,
 * so widths cannot adapt; long IPv6 endpoints push the rest of their line right), the
 * start banner, and the summary tables printed on exit.
 */
import type {
  ReasonCounts,
  TraceDrop,
  TraceListener,
  TraceNetns,
  TraceStart,
  TraceSummary,
} from "../model/trace.js";
import { formatEndpoint } from "../parsers/address.js";
import { paddedRow, plainTable } from "./text-table.js";

const COLUMNS = [
  ["TIME(us)", 16],
  ["REASON", 21],
  ["ACCEPTQ", 7],
  ["QMAX", 5],
  ["SYNQ", 5],
  ["LISTENER", 21],
  ["DESTINATION", 21],
  ["REMOTE", 27],
  ["NETNS", 14],
  ["PROCESS", 0],
] as const;

const COLUMN_WIDTHS = COLUMNS.map(([, width]) => width);

function row(cells: string[]): string {
  return paddedRow(cells, COLUMN_WIDTHS, " ");
}

/** The column header, acceptq.stp style. */
export function dropHeader(): string {
  return row(COLUMNS.map(([name]) => name));
}

/**
 * A namespace as shown in a column: its label (the /run/netns name or `pid:<n>`), `-` for the
 * one synq runs in, and `net:[inode]` only when nothing names or holds it any more.
 */
export function netnsLabel(n: TraceNetns): string {
  if (n.name === null) return `net:[${n.inode}]`;
  return n.name === "" ? "-" : n.name;
}

/** Holders as `command/pid,…`, or `-`. */
export function processLabel(l: TraceListener): string {
  return l.processes.length ? l.processes.map((p) => `${p.command}/${p.pid}`).join(",") : "-";
}

/** As ss and status write it: a dual-stack wildcard is `*:443`. */
function listenerLabel(l: TraceListener): string {
  const { address, port, family } = l;
  if (family === "dual") return address === "::" ? `*:${port}` : `[${address}]:${port}`;
  return formatEndpoint({ address, port, family });
}

/** One drop as a line under dropHeader(). */
export function dropLine(d: TraceDrop): string {
  const { family } = d;
  return row([
    String(d.timeUs),
    d.reason,
    String(d.acceptQueue),
    String(d.acceptQueueMax),
    String(d.synQueue),
    listenerLabel(d.listener),
    formatEndpoint({ ...d.destination, family }),
    formatEndpoint({ ...d.remote, family }),
    netnsLabel(d.netns),
    processLabel(d.listener),
  ]);
}

/** What is traced and how; with `verbose`, every strategy tried and why it was (not) used. */
export function startBanner(s: TraceStart, verbose: boolean): string {
  const where = [
    s.interfaces.length ? `on ${s.interfaces.join(", ")}` : "",
    s.cgroup !== null ? `on cgroup ${s.cgroup}` : "",
    s.netns === null
      ? "in every network namespace"
      : s.netns.name === ""
        ? "in the network namespace synq runs in"
        : `in network namespace ${netnsLabel(s.netns)}`,
    s.port !== null ? `port ${s.port}` : "",
  ].filter((x) => x !== "");
  const lines = [
    `synq: tracing ${s.reasons.join(", ")} with the ${s.strategy} strategy${s.tcHook ? ` (${s.tcHook})` : ""} ${where.join(", ")}; Ctrl-C to stop`,
  ];
  if (verbose) {
    for (const a of s.attempts) {
      lines.push(`synq: strategy ${a.strategy}: ${a.used ? "used" : "rejected"}: ${a.detail}`);
    }
  }
  return lines.join("\n");
}

function countCells(c: ReasonCounts, reasons: string[]): string[] {
  return reasons.map((r) => String(c[r as keyof ReasonCounts] ?? 0));
}

/** The peaks section of the summary: each listener's deepest accept queue seen. */
function peaksText(peaks: NonNullable<TraceSummary["peaks"]>, strategy: string): string[] {
  const title = `Peak accept-queue depth by listener (deepest seen by a SYN or final ACK, ${strategy}):`;
  if (peaks.length === 0) return [title, "  none (no accept queue held a connection)"];
  return [
    title,
    ...plainTable([
      ["LISTENER", "NETNS", "PEAK", "QMAX", "PROCESS"],
      ...peaks.map((p) => [
        listenerLabel(p.listener),
        netnsLabel(p.netns),
        String(p.acceptQueuePeak),
        String(p.acceptQueueMax),
        processLabel(p.listener),
      ]),
    ]).map((l) => `  ${l}`),
  ];
}

/** The summary printed on exit: totals, per listener, per remote /24 or /64, peaks, losses. */
export function summaryText(s: TraceSummary): string {
  const reasons = Object.keys(s.totals);
  const out: string[] = [""];
  out.push(
    `Drops by listener (exact counts from BPF maps, ${s.durationSeconds.toFixed(1)} s, ${s.strategy}):`,
  );
  if (s.listeners.length === 0) out.push("  none");
  else {
    out.push(
      ...plainTable([
        ["LISTENER", "NETNS", ...reasons.map((r) => r.toUpperCase()), "TOTAL", "PROCESS"],
        ...s.listeners.map((l) => [
          listenerLabel(l.listener),
          netnsLabel(l.netns),
          ...countCells(l.counts, reasons),
          String(l.total),
          processLabel(l.listener),
        ]),
      ]).map((l) => `  ${l}`),
    );
  }
  out.push("", "Drops by remote /24 (IPv4) or /64 (IPv6):");
  if (s.remotes.length === 0) out.push("  none");
  else {
    out.push(
      ...plainTable([
        ["REMOTE", "NETNS", ...reasons.map((r) => r.toUpperCase()), "TOTAL"],
        ...s.remotes.map((r) => [
          r.prefix,
          netnsLabel(r.netns),
          ...countCells(r.counts, reasons),
          String(r.total),
        ]),
      ]).map((l) => `  ${l}`),
    );
  }
  if (s.peaks !== undefined) out.push("", ...peaksText(s.peaks, s.strategy));
  out.push(
    "",
    `Totals: ${reasons.map((r) => `${r} ${s.totals[r as keyof ReasonCounts] ?? 0}`).join(", ")}`,
  );
  const e = s.events;
  const notes = [`${e.delivered} events delivered`];
  if (e.lost) notes.push(`${e.lost} LOST (ring buffer full; still counted above)`);
  if (e.notPrinted) notes.push(`${e.notPrinted} not printed (--max-events-per-sec)`);
  if (s.unattributed.listeners)
    notes.push(`${s.unattributed.listeners} not attributed to a listener (map full)`);
  if (s.unattributed.remotes)
    notes.push(`${s.unattributed.remotes} not attributed to a remote (map full)`);
  out.push(`Events: ${notes.join(", ")}`);
  return out.join("\n");
}

/** The pieces both human views of `synq status` draw: cells, labels, the header, a finding. */
import type { Finding, Listener, Severity, Status } from "../model/status.js";
import type { Palette } from "./colour.js";
import { textTable } from "./text-table.js";

/** A box table with a bold head row. */
export function table(head: string[], rows: string[][], p: Palette): string {
  return textTable(
    head.map((h) => p.bold(h)),
    rows,
  );
}

/** A queue's fill level: yellow from 80%, red when full. */
export function fill(percent: number, p: Palette): string {
  const text = `${percent}%`;
  if (percent >= 100) return p.red(text);
  if (percent >= 80) return p.yellow(text);
  return text;
}

/** The `command/pid` of every process holding the listener, or "-". */
export function owners(l: Listener): string {
  if (l.processes.length === 0) return "-";
  return [...new Set(l.processes.map((o) => `${o.command}/${o.pid}`))].join(",");
}

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: "CRIT",
  warning: "WARN",
  info: "INFO",
};

/** CRIT, WARN or INFO, coloured by severity. */
export function severity(s: Severity, p: Palette): string {
  const label = SEVERITY_LABEL[s];
  return s === "critical" ? p.red(label) : s === "warning" ? p.yellow(label) : p.dim(label);
}

/** A per-second rate as the tables show it, or "" without --interval. */
export function rateText(perSecond: number | null): string {
  return perSecond === null ? "" : `${perSecond.toFixed(perSecond >= 10 ? 0 : 1)}/s`;
}

/** The head of a listeners table, one label per cell of listenerCells(). */
export const LISTENER_HEAD = [
  "Local",
  "Process",
  "Accept q",
  "Fill",
  "SYN-RECV",
  "SYN limit",
  "Fill",
  "Drops",
];

/** One listener's row of a listeners table. */
export function listenerCells(l: Listener, p: Palette): string[] {
  const drops =
    l.drops === null
      ? "?"
      : l.dropsPerSecond
        ? `${l.drops} (${rateText(l.dropsPerSecond)})`
        : String(l.drops);
  return [
    l.device ? `${l.local}%${l.device}` : l.local,
    owners(l),
    `${l.acceptQueue.depth}/${l.acceptQueue.backlog}`,
    fill(l.acceptQueue.fillPercent, p),
    l.synQueue.sharedWith ? `${l.synQueue.depth}*` : String(l.synQueue.depth),
    String(l.synQueue.limit),
    fill(l.synQueue.fillPercent, p),
    l.drops ? p.red(drops) : drops,
  ];
}

/** The footnote for a `N*` SYN-RECV cell. */
export const SHARED_SYN_RECV_NOTE =
  "* SYN-RECV shared by SO_REUSEPORT listeners on the same address:port";

/** The kernel line, then a note per namespace that was listed but not read. */
export function statusHeader(status: Status, p: Palette): string {
  const header = p.dim(
    `kernel ${status.kernel.release}: ${status.kernel.synQueueRule}` +
      (status.intervalSeconds ? `; rates over ${status.intervalSeconds} s` : ""),
  );
  const notes = (status.skippedNamespaces ?? []).map((s) =>
    p.dim(`note: network namespace ${s.netns} skipped: it ${s.reason}`),
  );
  return [header, ...notes].join("\n");
}

/** Where a finding is: `netns NAME LISTENER`, either part left out when it has none. */
export function findingPlace(f: Finding): string {
  return [f.netns ? `netns ${f.netns}` : "", f.listener ?? ""].filter(Boolean).join(" ");
}

/** A finding's first line after its severity label: `PLACE: MESSAGE`, or the message alone. */
export function findingText(f: Finding, p: Palette): string {
  const where = findingPlace(f);
  return `${where ? `${p.bold(where)}: ` : ""}${f.message}`;
}

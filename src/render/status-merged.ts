import type { Counter, Status } from "../model/status.js";
import {
  type CounterRow,
  type FindingGroup,
  MERGED_COUNTERS,
  type MergedCounters,
  type MergedListeners,
  type MergedSysctl,
  mergedView,
} from "../status/merged-view.js";
import type { Palette } from "./colour.js";
import {
  findingText,
  LISTENER_HEAD,
  listenerCells,
  rateText,
  SHARED_SYN_RECV_NOTE,
  severity,
  statusHeader,
  table,
} from "./status-cells.js";

/** Namespaces or listeners named in one line before it says "and N more". */
export const MAX_NAMED = 10;

/** The counters whose non-zero value means connections were lost: shown in red. */
const DROP_COUNTERS: ReadonlySet<string> = new Set([
  "TcpExt.ListenOverflows",
  "TcpExt.ListenDrops",
  "TcpExt.TCPReqQFullDrop",
]);

const count = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;
const cellLabel = (netns: string) => netns || "-";
const proseLabel = (netns: string) => netns || "this namespace";
const valueText = (v: number | null) => (v === null ? "-" : String(v));

/** `items` joined by commas, at most MAX_NAMED of them, then how many more. */
function named(items: readonly string[]): string {
  const more = items.length - MAX_NAMED;
  return items.slice(0, MAX_NAMED).join(", ") + (more > 0 ? `, and ${count(more)} more` : "");
}

function sysctlsText(sysctls: readonly MergedSysctl[], p: Palette): string {
  const rows = sysctls.map((s) => [
    s.key,
    valueText(s.value) + (s.outliers.length ? "*" : ""),
    s.meaning,
  ]);
  const differ = sysctls
    .filter((s) => s.outliers.length)
    .map(
      (s) =>
        `* ${s.key}: ${valueText(s.value)} everywhere except ` +
        named(s.outliers.map((o) => `${proseLabel(o.netns)} (${valueText(o.value)})`)),
    );
  return [table(["Sysctl", "Value", "Meaning"], rows, p), ...differ].join("\n");
}

function listenersText(view: MergedListeners, status: Status, p: Palette): string {
  const shown = [...view.problems, ...view.healthy];
  if (shown.length === 0) return p.dim("No TCP listeners.");
  const lines = [
    table(
      ["Netns", ...LISTENER_HEAD],
      shown.map((l) => [cellLabel(l.netns), ...listenerCells(l, p)]),
      p,
    ),
  ];
  if (view.leftOut > 0) {
    lines.push(
      p.dim(
        `… ${plural(view.leftOut, "more healthy listener")} in ` +
          `${plural(view.leftOutNamespaces, "namespace")} (--top 0 shows all)`,
      ),
    );
  }
  if (shown.some((l) => l.synQueue.sharedWith > 0)) lines.push(p.dim(SHARED_SYN_RECV_NOTE));
  let unattributed = 0;
  for (const ns of status.namespaces) unattributed += ns.synRecvUnattributed;
  if (unattributed > 0) {
    lines.push(p.dim(`${count(unattributed)} SYN-RECV entries match no listener (it closed?)`));
  }
  return lines.join("\n");
}

function counterCell(
  name: string,
  c: Pick<Counter, "value" | "perSecond">,
  rated: boolean,
  p: Palette,
): string {
  if (c.value === null) return "-";
  const text = rated && c.perSecond ? `${c.value} (${rateText(c.perSecond)})` : String(c.value);
  const lost = DROP_COUNTERS.has(name) && ((rated ? c.perSecond : c.value) ?? 0) > 0;
  return lost ? p.red(text) : text;
}

function countersText(view: MergedCounters, rated: boolean, p: Palette): string {
  const lines: string[] = [];
  if (view.rows.length) {
    const head = ["Netns", ...MERGED_COUNTERS.map((n) => n.slice(n.indexOf(".") + 1))];
    const cells = (row: CounterRow) => [
      cellLabel(row.netns),
      ...MERGED_COUNTERS.map((name, i) =>
        counterCell(name, row.counters[i] ?? { value: null, perSecond: null }, rated, p),
      ),
    ];
    lines.push(table(head, view.rows.map(cells), p));
  }
  if (view.leftOut > 0) {
    const which = rated ? "whose counters moved" : "with non-zero counters";
    lines.push(p.dim(`… ${plural(view.leftOut, "more namespace")} ${which} (--top 0 shows all)`));
  }
  if (view.quiet > 0) {
    lines.push(p.dim(`${plural(view.quiet, "namespace")}: ${rated ? "unchanged" : "all zero"}`));
  }
  return lines.join("\n");
}

function findingGroupText(group: FindingGroup, p: Palette): string {
  const [first, ...others] = group.findings;
  if (!first) return "";
  const label = `${severity(group.severity, p)} ${group.code}`;
  const lines = [
    others.length
      ? `${label} ×${count(group.findings.length)}, e.g. ${findingText(first, p)}`
      : `${label}, ${findingText(first, p)}`,
    `     fix: ${first.fix}`,
  ];
  if (others.length) {
    const places = group.findings.map(
      (f) => proseLabel(f.netns) + (f.listener === null ? "" : ` (${f.listener})`),
    );
    lines.push(`     in ${named(places)}`);
  }
  return lines.join("\n");
}

/**
 * The human view of `synq status` over a namespace selection: one table of listeners (problems
 * first, then at most `top` healthy ones; 0 shows all), the namespaces whose counters say
 * something, the sysctls once with the namespaces that differ, and the findings by code.
 */
export function renderMergedStatus(status: Status, top: number, p: Palette): string {
  const view = mergedView(status, top);
  const rated = status.intervalSeconds !== null;
  const summary = `${plural(view.namespaces, "network namespace")}, ${plural(view.listenerCount, "listener")}`;
  const findings = view.findings.length
    ? view.findings.map((g) => findingGroupText(g, p)).join("\n")
    : p.green("No problems found.");
  return [
    `${statusHeader(status, p)}\n${summary}`,
    view.sysctls.length ? sysctlsText(view.sysctls, p) : "",
    listenersText(view.listeners, status, p),
    countersText(view.counters, rated, p),
    findings,
  ]
    .filter(Boolean)
    .join("\n\n");
}

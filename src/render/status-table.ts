import type { Finding, NamespaceStatus, Status } from "../model/status.js";
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

function listenersTable(ns: NamespaceStatus, p: Palette): string {
  return table(
    LISTENER_HEAD,
    ns.listeners.map((l) => listenerCells(l, p)),
    p,
  );
}

function findingsText(findings: Finding[], p: Palette): string {
  if (findings.length === 0) return p.green("No problems found.");
  return findings
    .map((f) => `${severity(f.severity, p)} ${findingText(f, p)}\n     fix: ${f.fix}`)
    .join("\n");
}

function namespaceText(ns: NamespaceStatus, p: Palette, many: boolean): string {
  const parts: string[] = [];
  if (many) parts.push(p.bold(`== network namespace ${ns.netns || "(current)"} ==`));
  const sysctls = table(
    ["Sysctl", "Value", "Meaning"],
    ns.sysctls.map((s) => [s.key, s.value === null ? "-" : String(s.value), s.meaning]),
    p,
  );
  parts.push(`${p.bold("Sysctls")}\n${sysctls}`);
  parts.push(
    `${p.bold("Listeners")}\n${ns.listeners.length ? listenersTable(ns, p) : p.dim("No TCP listeners.")}`,
  );
  if (ns.listeners.some((l) => l.synQueue.sharedWith > 0)) {
    parts.push(p.dim(SHARED_SYN_RECV_NOTE));
  }
  if (ns.synRecvUnattributed > 0) {
    parts.push(p.dim(`${ns.synRecvUnattributed} SYN-RECV entries match no listener (it closed?)`));
  }
  const counters = table(
    ["Counter", "Value", "Rate", "Meaning"],
    ns.counters
      .filter((c) => c.value !== null)
      .map((c) => [c.name, String(c.value), rateText(c.perSecond), c.meaning]),
    p,
  );
  parts.push(`${p.bold("Counters")}\n${counters}`);
  parts.push(`${p.bold("Findings")}\n${findingsText(ns.findings, p)}`);
  return parts.join("\n\n");
}

/** The human view of `synq status`: sysctls, listeners, counters and findings per namespace. */
export function renderStatus(status: Status, p: Palette): string {
  const many = status.namespaces.length > 1 || status.namespaces.some((n) => n.netns !== "");
  return [
    statusHeader(status, p),
    ...status.namespaces.map((ns) => namespaceText(ns, p, many)),
  ].join("\n\n");
}

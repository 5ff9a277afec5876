import type { Finding, Listener, NamespaceStatus, Severity, Status } from "../model/status.js";
import type { Palette } from "./colour.js";
import { textTable } from "./text-table.js";

function table(head: string[], rows: string[][], p: Palette): string {
  return textTable(
    head.map((h) => p.bold(h)),
    rows,
  );
}

function fill(percent: number, p: Palette): string {
  const text = `${percent}%`;
  if (percent >= 100) return p.red(text);
  if (percent >= 80) return p.yellow(text);
  return text;
}

function owners(l: Listener): string {
  if (l.processes.length === 0) return "-";
  return [...new Set(l.processes.map((o) => `${o.command}/${o.pid}`))].join(",");
}

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: "CRIT",
  warning: "WARN",
  info: "INFO",
};

function severity(s: Severity, p: Palette): string {
  const label = SEVERITY_LABEL[s];
  return s === "critical" ? p.red(label) : s === "warning" ? p.yellow(label) : p.dim(label);
}

function rateText(perSecond: number | null): string {
  return perSecond === null ? "" : `${perSecond.toFixed(perSecond >= 10 ? 0 : 1)}/s`;
}

function listenersTable(ns: NamespaceStatus, p: Palette): string {
  const rows = ns.listeners.map((l) => {
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
  });
  return table(
    ["Local", "Process", "Accept q", "Fill", "SYN-RECV", "SYN limit", "Fill", "Drops"],
    rows,
    p,
  );
}

function findingsText(findings: Finding[], p: Palette): string {
  if (findings.length === 0) return p.green("No problems found.");
  return findings
    .map((f) => {
      const where = [f.netns ? `netns ${f.netns}` : "", f.listener ?? ""].filter(Boolean).join(" ");
      return `${severity(f.severity, p)} ${where ? `${p.bold(where)}: ` : ""}${f.message}\n     fix: ${f.fix}`;
    })
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
    parts.push(p.dim("* SYN-RECV shared by SO_REUSEPORT listeners on the same address:port"));
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
  const header = p.dim(
    `kernel ${status.kernel.release}: ${status.kernel.synQueueRule}` +
      (status.intervalSeconds ? `; rates over ${status.intervalSeconds} s` : ""),
  );
  const notes = (status.skippedNamespaces ?? []).map((s) =>
    p.dim(`note: network namespace ${s.netns} skipped: it ${s.reason}`),
  );
  return [
    [header, ...notes].join("\n"),
    ...status.namespaces.map((ns) => namespaceText(ns, p, many)),
  ].join("\n\n");
}

import Table from "cli-table3";
import type { Finding, Listener, NamespaceStatus, Severity, Status } from "../model/status.js";
import type { Palette } from "./colour.js";

function table(head: string[], p: Palette) {
  return new Table({
    head: head.map((h) => p.bold(h)),
    style: { head: [], border: [], compact: true },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
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
  const t = table(
    ["Local", "Process", "Accept q", "Fill", "SYN-RECV", "SYN limit", "Fill", "Drops"],
    p,
  );
  for (const l of ns.listeners) {
    const drops =
      l.drops === null
        ? "?"
        : l.dropsPerSecond
          ? `${l.drops} (${rateText(l.dropsPerSecond)})`
          : String(l.drops);
    const row = [
      l.device ? `${l.local}%${l.device}` : l.local,
      owners(l),
      `${l.acceptQueue.depth}/${l.acceptQueue.backlog}`,
      fill(l.acceptQueue.fillPercent, p),
      l.synQueue.sharedWith ? `${l.synQueue.depth}*` : String(l.synQueue.depth),
      String(l.synQueue.limit),
      fill(l.synQueue.fillPercent, p),
      l.drops ? p.red(drops) : drops,
    ];
    t.push(row);
  }
  return t.toString();
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
  const sysctls = table(["Sysctl", "Value", "Meaning"], p);
  for (const s of ns.sysctls)
    sysctls.push([s.key, s.value === null ? "-" : String(s.value), s.meaning]);
  parts.push(`${p.bold("Sysctls")}\n${sysctls.toString()}`);
  parts.push(
    `${p.bold("Listeners")}\n${ns.listeners.length ? listenersTable(ns, p) : p.dim("No TCP listeners.")}`,
  );
  if (ns.listeners.some((l) => l.synQueue.sharedWith > 0)) {
    parts.push(p.dim("* SYN-RECV shared by SO_REUSEPORT listeners on the same address:port"));
  }
  if (ns.synRecvUnattributed > 0) {
    parts.push(p.dim(`${ns.synRecvUnattributed} SYN-RECV entries match no listener (it closed?)`));
  }
  const counters = table(["Counter", "Value", "Rate", "Meaning"], p);
  for (const c of ns.counters) {
    if (c.value === null) continue;
    counters.push([c.name, String(c.value), rateText(c.perSecond), c.meaning]);
  }
  parts.push(`${p.bold("Counters")}\n${counters.toString()}`);
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
  return [header, ...status.namespaces.map((ns) => namespaceText(ns, p, many))].join("\n\n");
}

import type { Status } from "../model/status.js";
import { COUNTER_METRICS, sysctlMetricName } from "./counter-metrics.js";
import { counter, type FamilyHead, gauge, labelSet, type Renderer } from "./exposition-writer.js";
import { listenerLabels } from "./listener-labels.js";
import { selectListeners } from "./max-series.js";

/** What a collection knows besides the Status: for build_info and the duration. */
export interface CollectionFacts {
  version: string;
  nodeVersion: string;
  /** Seconds statusReport took. */
  durationSeconds: number;
}

/** How the Status is turned into series. */
export interface FamilyOptions {
  /** --max-series: at most this many listener series (see max-series.ts); null: all. */
  maxSeries?: number | null;
}

const DEPTH = gauge(
  "synq_listener_accept_queue_depth",
  "Connections waiting for accept() (sk_ack_backlog; ss Recv-Q of a LISTEN socket).",
);
const BACKLOG = gauge(
  "synq_listener_accept_queue_backlog",
  "Accept queue limit: min(listen() backlog, net.core.somaxconn) (sk_max_ack_backlog; ss Send-Q); full when depth > backlog.",
);
const SYN_RECV = gauge(
  "synq_listener_syn_recv",
  "SYN-RECV request sockets attributed to the listener; SO_REUSEPORT group members each show the group's total.",
);
const SYN_LIMIT = gauge(
  "synq_listener_syn_queue_limit",
  "Request sockets the kernel keeps before the SYN queue is full (inet_csk_reqsk_queue_is_full, by kernel version).",
);
const DROPS = counter(
  "synq_listener_drops_total",
  "SYNs and final ACKs the listener dropped since it started listening (sk_drops, INET_DIAG_SKMEMINFO).",
);
const INFO = gauge(
  "synq_listener_info",
  'Always 1; process: "command/pid" of every process holding the socket, comma-separated ("" when not visible).',
);
const FINDING = gauge(
  "synq_finding",
  'Findings of synq status: how many with these labels (1, more when listeners share an address:port); listener "" for a namespace-wide one.',
);

/** One listener, as the families write it: its labels (without the closing brace) and values. */
interface ListenerRow {
  /** `{netns="…",…` : the labels, open for `process`. */
  open: string;
  depth: number;
  backlog: number;
  synRecv: number;
  synLimit: number;
  drops: number | null;
  process: string;
}

function rowsOf(
  status: Status,
  maxSeries: number | null,
): { rows: ListenerRow[]; omitted: number } {
  const selection = selectListeners(status, maxSeries);
  const rows: ListenerRow[] = [];
  status.namespaces.forEach((ns, n) => {
    // Labels from every listener, kept or not: a listener's series are the same whichever
    // others --max-series leaves out.
    const labels = listenerLabels(ns.listeners);
    const kept = selection.kept[n];
    ns.listeners.forEach((l, i) => {
      if (!kept?.has(i)) return;
      rows.push({
        open: labelSet(labels[i] ?? {}).slice(0, -1),
        depth: l.acceptQueue.depth,
        backlog: l.acceptQueue.backlog,
        synRecv: l.synQueue.depth,
        synLimit: l.synQueue.limit,
        drops: l.drops,
        process: labelSet({ process: l.processes.map((p) => `${p.command}/${p.pid}`).join(",") }),
      });
    });
  });
  return { rows, omitted: selection.omitted };
}

/**
 * The metrics of one collection (no process metrics: a one-shot run's CPU and memory say
 * nothing about the host). Series whose value the kernel did not give (null) are left out,
 * never exported as 0. Every family is written once, its series together.
 */
export function statusFamilies(
  status: Status,
  facts: CollectionFacts,
  opts: FamilyOptions = {},
): Renderer {
  return function* (w) {
    const { rows, omitted } = rowsOf(status, opts.maxSeries ?? null);
    const perListener: [FamilyHead, (r: ListenerRow) => number | null][] = [
      [DEPTH, (r) => r.depth],
      [BACKLOG, (r) => r.backlog],
      [SYN_RECV, (r) => r.synRecv],
      [SYN_LIMIT, (r) => r.synLimit],
      [DROPS, (r) => r.drops],
    ];
    for (const [head, value] of perListener) {
      w.family(head);
      for (const r of rows) {
        const v = value(r);
        if (v !== null) w.sample(head.name, `${r.open}}`, v);
        if (w.full) yield w.take();
      }
    }
    w.family(INFO);
    for (const r of rows) {
      w.sample(INFO.name, `${r.open},${r.process.slice(1)}`, 1);
      if (w.full) yield w.take();
    }

    for (const m of COUNTER_METRICS) {
      const kind = m.counter.startsWith("TcpExt.") ? "netstat" : "snmp";
      w.family({
        name: m.name,
        type: m.type,
        help: `${m.counter} of the namespace (/proc/net/${kind}).`,
      });
      for (const ns of status.namespaces) {
        const c = ns.counters.find((x) => x.name === m.counter);
        if (c && c.value !== null) w.sample(m.name, labelSet({ netns: ns.netns }), c.value);
      }
    }
    // Each sysctl's family in the order the first namespace that has it lists it.
    const sysctls = new Map<string, { netns: string; value: number }[]>();
    for (const ns of status.namespaces) {
      for (const s of ns.sysctls) {
        if (s.value === null) continue;
        const samples = sysctls.get(s.key) ?? [];
        samples.push({ netns: ns.netns, value: s.value });
        sysctls.set(s.key, samples);
      }
    }
    for (const [key, samples] of sysctls) {
      const name = sysctlMetricName(key);
      w.family(gauge(name, `sysctl ${key} of the namespace.`));
      for (const s of samples) w.sample(name, labelSet({ netns: s.netns }), s.value);
    }
    if (w.full) yield w.take();

    const findings = new Map<string, number>();
    for (const ns of status.namespaces) {
      for (const f of ns.findings) {
        const labels = labelSet({
          netns: f.netns,
          code: f.code,
          severity: f.severity,
          listener: f.listener ?? "",
        });
        findings.set(labels, (findings.get(labels) ?? 0) + 1);
      }
    }
    w.family(FINDING);
    for (const [labels, count] of findings) w.sample(FINDING.name, labels, count);

    w.single(
      gauge(
        "synq_listeners_omitted",
        "Listeners whose series --max-series left out of this collection (0 without it); problems are kept first.",
      ),
      omitted,
    );
    w.single(
      gauge(
        "synq_namespaces_skipped",
        "Namespaces selected but not read: they went away while synq read them.",
      ),
      status.skippedNamespaces?.length ?? 0,
    );
    w.single(
      gauge(
        "synq_collection_duration_seconds",
        "Seconds the collection took (namespaces, sockets, owners, counters, sysctls).",
      ),
      facts.durationSeconds,
    );
    const build = gauge(
      "synq_build_info",
      "Always 1: the synq and Node.js versions that wrote these metrics.",
    );
    w.family(build);
    w.sample(build.name, labelSet({ version: facts.version, node_version: facts.nodeVersion }), 1);
  };
}

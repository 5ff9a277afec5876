import { Counter, Gauge, Registry, type RegistryContentType } from "prom-client";
import type { Status } from "../model/status.js";
import { COUNTER_METRICS, sysctlMetricName } from "./counter-metrics.js";
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
export interface RegistryOptions {
  /** --max-series: at most this many listener series (see max-series.ts); null: all. */
  maxSeries?: number | null;
  /** The format metrics() writes: Prometheus text (default) or OpenMetrics. */
  contentType?: RegistryContentType;
}

const LISTENER_LABELS = ["netns", "address", "port", "family", "device", "socket"] as const;

/**
 * The metrics of one collection, in a registry of their own (no process metrics: a one-shot
 * run's CPU and memory say nothing about the host). Series whose value the kernel did not
 * give (null) are left out, never exported as 0.
 */
export function statusRegistry(
  status: Status,
  facts: CollectionFacts,
  opts: RegistryOptions = {},
): Registry<RegistryContentType> {
  const registry = new Registry<RegistryContentType>();
  if (opts.contentType) registry.setContentType(opts.contentType);
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: readonly string[] = []) =>
    new Gauge({ name, help, labelNames, registers });

  const depth = gauge(
    "synq_listener_accept_queue_depth",
    "Connections waiting for accept() (sk_ack_backlog; ss Recv-Q of a LISTEN socket).",
    LISTENER_LABELS,
  );
  const backlog = gauge(
    "synq_listener_accept_queue_backlog",
    "Accept queue limit: min(listen() backlog, net.core.somaxconn) (sk_max_ack_backlog; ss Send-Q); full when depth > backlog.",
    LISTENER_LABELS,
  );
  const synRecv = gauge(
    "synq_listener_syn_recv",
    "SYN-RECV request sockets attributed to the listener; SO_REUSEPORT group members each show the group's total.",
    LISTENER_LABELS,
  );
  const synLimit = gauge(
    "synq_listener_syn_queue_limit",
    "Request sockets the kernel keeps before the SYN queue is full (inet_csk_reqsk_queue_is_full, by kernel version).",
    LISTENER_LABELS,
  );
  const drops = new Counter({
    name: "synq_listener_drops_total",
    help: "SYNs and final ACKs the listener dropped since it started listening (sk_drops, INET_DIAG_SKMEMINFO).",
    labelNames: LISTENER_LABELS,
    registers,
  });
  const info = gauge(
    "synq_listener_info",
    'Always 1; process: "command/pid" of every process holding the socket, comma-separated ("" when not visible).',
    [...LISTENER_LABELS, "process"],
  );
  const counters = new Map(
    COUNTER_METRICS.map((m) => {
      const help = `${m.counter} of the namespace (/proc/net/${m.counter.startsWith("TcpExt.") ? "netstat" : "snmp"}).`;
      const opts = { name: m.name, help, labelNames: ["netns"], registers };
      return [m.counter, m.type === "counter" ? new Counter(opts) : new Gauge(opts)] as const;
    }),
  );
  const sysctls = new Map<string, Gauge>();
  const finding = gauge(
    "synq_finding",
    'Findings of synq status: how many with these labels (1, more when listeners share an address:port); listener "" for a namespace-wide one.',
    ["netns", "code", "severity", "listener"],
  );

  const selection = selectListeners(status, opts.maxSeries ?? null);
  status.namespaces.forEach((ns, n) => {
    // Labels from every listener, kept or not: a listener's series are the same whichever
    // others --max-series leaves out.
    const labels = listenerLabels(ns.listeners);
    const kept = selection.kept[n];
    ns.listeners.forEach((l, i) => {
      if (!kept?.has(i)) return;
      const ls = labels[i] ?? {};
      depth.set(ls, l.acceptQueue.depth);
      backlog.set(ls, l.acceptQueue.backlog);
      synRecv.set(ls, l.synQueue.depth);
      synLimit.set(ls, l.synQueue.limit);
      if (l.drops !== null) drops.inc(ls, l.drops);
      const owners = l.processes.map((p) => `${p.command}/${p.pid}`).join(",");
      info.set({ ...ls, process: owners }, 1);
    });
    for (const c of ns.counters) {
      const metric = counters.get(c.name);
      if (!metric || c.value === null) continue;
      if (metric instanceof Counter) metric.inc({ netns: ns.netns }, c.value);
      else metric.set({ netns: ns.netns }, c.value);
    }
    for (const s of ns.sysctls) {
      if (s.value === null) continue;
      let metric = sysctls.get(s.key);
      if (!metric) {
        metric = gauge(sysctlMetricName(s.key), `sysctl ${s.key} of the namespace.`, ["netns"]);
        sysctls.set(s.key, metric);
      }
      metric.set({ netns: ns.netns }, s.value);
    }
    for (const f of ns.findings) {
      finding.inc({
        netns: f.netns,
        code: f.code,
        severity: f.severity,
        listener: f.listener ?? "",
      });
    }
  });

  gauge(
    "synq_listeners_omitted",
    "Listeners whose series --max-series left out of this collection (0 without it); problems are kept first.",
  ).set(selection.omitted);
  gauge(
    "synq_namespaces_skipped",
    "Namespaces selected but not read: they went away while synq read them.",
  ).set(status.skippedNamespaces?.length ?? 0);
  gauge(
    "synq_collection_duration_seconds",
    "Seconds the collection took (namespaces, sockets, owners, counters, sysctls).",
  ).set(facts.durationSeconds);
  gauge("synq_build_info", "Always 1: the synq and Node.js versions that wrote these metrics.", [
    "version",
    "node_version",
  ]).set({ version: facts.version, node_version: facts.nodeVersion }, 1);
  return registry;
}

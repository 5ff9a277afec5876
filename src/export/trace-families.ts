/**
 * The tracer's metric families for `synq export --trace`, from one read of its exact counter
 * maps and of the peak window: a pure function of what was read. Listener labels follow the
 * synq_listener_* families (listener-labels.ts): netns as status names it, `*` for a
 * dual-stack wildcard, `socket` only where two listeners would share every other label.
 */
import type { Reason } from "../model/trace-enums.js";
import { AF_INET } from "../net/inet.js";
import type { ListenerIdentity } from "../trace/event-layout.js";
import { counter, gauge, labelSet, type Renderer } from "./exposition-writer.js";
import type { ListenerLabels } from "./listener-labels.js";

/** A listener as the tracer keys it, with the label of its namespace. */
export interface NamedListener {
  key: ListenerIdentity;
  netns: string;
}

/** What one collection read from the tracer. */
export interface TraceReading {
  /** Exact drops by listener and reason (the BPF counter map). */
  drops: readonly (NamedListener & { reason: Reason; count: number })[];
  /** Ring-buffer records lost so far. */
  lost: number;
  /** Drops counted with no listener: the per-listener map was full. */
  unattributed: number;
  /** Each listener's deepest accept queue over the peak window. */
  peaks: readonly (NamedListener & { depth: number })[];
  strategy: string;
  /** tcx or clsact for tc, the cgroup for cgroup, "" otherwise. */
  hook: string;
}

function baseLabels(l: NamedListener): ListenerLabels {
  const dual = l.key.family !== AF_INET && !l.key.v6only;
  return {
    netns: l.netns,
    address: dual && l.key.address === "::" ? "*" : l.key.address,
    port: String(l.key.port),
    family: l.key.family === AF_INET ? "inet" : dual ? "dual" : "inet6",
  };
}

/**
 * Labels per socket inode: the base labels, plus `socket` for sockets whose base labels
 * another socket of `listeners` shares (an SO_REUSEPORT group).
 */
function labelsBySocket(listeners: readonly NamedListener[]): Map<string, ListenerLabels> {
  const id = (l: NamedListener) => `${l.netns}|${l.key.sockIno}`;
  const unique = new Map<string, NamedListener>();
  for (const l of listeners) unique.set(id(l), l);
  const sockets = new Map<string, Set<number>>();
  for (const l of unique.values()) {
    const base = JSON.stringify(baseLabels(l));
    const set = sockets.get(base) ?? new Set<number>();
    set.add(l.key.sockIno);
    sockets.set(base, set);
  }
  const out = new Map<string, ListenerLabels>();
  for (const [key, l] of unique) {
    const base = baseLabels(l);
    const shared = (sockets.get(JSON.stringify(base))?.size ?? 0) > 1;
    out.set(key, shared ? { ...base, socket: String(l.key.sockIno) } : base);
  }
  return out;
}

/** The tracer's families, written after the collection's. */
export function traceFamilies(r: TraceReading): Renderer {
  const labels = labelsBySocket([...r.drops, ...r.peaks]);
  const of = (l: NamedListener) => labels.get(`${l.netns}|${l.key.sockIno}`) as ListenerLabels;
  return function* (w) {
    const drops = counter(
      "synq_trace_drops_total",
      "Connections dropped, by listener and reason, counted by the tracer's BPF maps (exact, never sampled) since synq export started.",
    );
    const byLabels = new Map<string, number>();
    for (const d of r.drops) {
      const set = labelSet({ ...of(d), reason: d.reason });
      byLabels.set(set, (byLabels.get(set) ?? 0) + d.count);
    }
    w.family(drops);
    for (const [set, count] of byLabels) {
      w.sample(drops.name, set, count);
      if (w.full) yield w.take();
    }
    w.single(
      counter(
        "synq_trace_lost_records_total",
        "Trace records the ring buffer had no room for (the drop counters stay exact).",
      ),
      r.lost,
    );
    w.single(
      counter(
        "synq_trace_unattributed_drops_total",
        "Drops the tracer counted without a listener because its per-listener map was full (not in synq_trace_drops_total).",
      ),
      r.unattributed,
    );
    const peak = gauge(
      "synq_listener_accept_queue_peak",
      "Deepest accept queue the tracer saw over the last --peak-window seconds (sk_ack_backlog on an inspected SYN or ACK); a scrape resets nothing.",
    );
    // One listener seen twice (never today) keeps its deepest.
    const deepest = new Map<string, number>();
    for (const p of r.peaks) {
      const set = labelSet(of(p));
      deepest.set(set, Math.max(p.depth, deepest.get(set) ?? 0));
    }
    w.family(peak);
    for (const [set, depth] of deepest) {
      w.sample(peak.name, set, depth);
      if (w.full) yield w.take();
    }
    const info = gauge(
      "synq_trace_info",
      "The tracer synq export runs: its attach strategy and hook.",
    );
    w.family(info);
    w.sample(info.name, labelSet({ strategy: r.strategy, hook: r.hook }), 1);
  };
}

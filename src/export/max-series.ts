/**
 * `--max-series N`: at most N listener series per scrape, listeners taken whole (all their
 * series or none), problems first, so on a host with more listeners than a Prometheus can take
 * the ones worth a look are still there:
 *
 *   1. listeners a critical finding names, then a warning, then an info one;
 *   2. then the fuller accept queue (depth / backlog), more drops, more SYN-RECV;
 *   3. then the order status lists them in (namespace, then address and port), which keeps the
 *      choice among healthy listeners the same from scrape to scrape.
 */
import type { Listener, Severity, Status } from "../model/status.js";

/** Series each listener has: four gauges, info, and the drops counter when the kernel gives it. */
export function seriesOfListener(l: Listener): number {
  return l.drops === null ? 5 : 6;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const NO_FINDING = 3;

interface Candidate {
  ns: number;
  index: number;
  listener: Listener;
  severity: number;
  position: number;
}

function fill(l: Listener): number {
  return l.acceptQueue.backlog > 0
    ? l.acceptQueue.depth / l.acceptQueue.backlog
    : l.acceptQueue.depth;
}

function byProblemsFirst(a: Candidate, b: Candidate): number {
  return (
    a.severity - b.severity ||
    fill(b.listener) - fill(a.listener) ||
    (b.listener.drops ?? 0) - (a.listener.drops ?? 0) ||
    b.listener.synQueue.depth - a.listener.synQueue.depth ||
    a.position - b.position
  );
}

/** Which listeners of each namespace are exported, and how many are not. */
export interface SeriesSelection {
  /** Per namespace (status order), the indexes of its listeners that are kept. */
  kept: Set<number>[];
  omitted: number;
}

/** All listeners, or those that fit in `maxSeries` series, problems first. */
export function selectListeners(status: Status, maxSeries: number | null): SeriesSelection {
  const all = status.namespaces.map((ns) => new Set(ns.listeners.map((_, i) => i)));
  if (maxSeries === null) return { kept: all, omitted: 0 };
  const candidates: Candidate[] = [];
  let position = 0;
  status.namespaces.forEach((ns, n) => {
    const worst = new Map<string, number>();
    for (const f of ns.findings) {
      if (f.listener === null) continue;
      const rank = SEVERITY_RANK[f.severity];
      worst.set(f.listener, Math.min(rank, worst.get(f.listener) ?? NO_FINDING));
    }
    ns.listeners.forEach((listener, index) => {
      const severity = worst.get(listener.local) ?? NO_FINDING;
      candidates.push({ ns: n, index, listener, severity, position: position++ });
    });
  });
  candidates.sort(byProblemsFirst);
  const kept = status.namespaces.map(() => new Set<number>());
  let used = 0;
  let taken = 0;
  for (const c of candidates) {
    const cost = seriesOfListener(c.listener);
    if (used + cost > maxSeries) break;
    used += cost;
    taken++;
    kept[c.ns]?.add(c.index);
  }
  return { kept, omitted: candidates.length - taken };
}

/** The summary record of a trace, from the counter maps: a pure function of what was read. */
import { TRACE_SCHEMA_VERSION } from "../model/schema-versions.js";
import type { TraceSummary } from "../model/trace.js";
import type { Reason, Strategy } from "../model/trace-enums.js";
import type { PeakEntry } from "./bpf-maps.js";
import { type ListenerKey, type RemoteKey, TOTAL_SLOTS } from "./event-layout.js";
import {
  type Naming,
  summarizeListeners,
  summarizePeaks,
  summarizeRemotes,
  totalsByReason,
} from "./records.js";

/** The tracer's counter maps, decoded: exact counts, never sampled. */
export interface TraceCounters {
  /** Every slot of `acceptq_totals` (ACCEPTQ_REASON_* and ACCEPTQ_TOTAL_*). */
  totals: number[];
  listeners: { key: ListenerKey; count: number }[];
  remotes: { key: RemoteKey; count: number }[];
}

/** Everything a summary is made of. */
export interface SummaryInput {
  strategy: Strategy;
  reasons: readonly Reason[];
  durationSeconds: number;
  counters: TraceCounters;
  /** Each listener's peak accept-queue depth; null when the tracer kept none. */
  peaks: PeakEntry[] | null;
  /** Records the ring buffer delivered. */
  delivered: number;
  /** Records --max-events-per-sec kept from the output. */
  notPrinted: number;
  naming: Naming;
}

/** The summary record: totals, per listener, per remote prefix, peaks, and what was lost. */
export function buildSummary(s: SummaryInput): TraceSummary {
  const { totals } = s.counters;
  return {
    schemaVersion: TRACE_SCHEMA_VERSION,
    type: "summary",
    strategy: s.strategy,
    durationSeconds: s.durationSeconds,
    totals: totalsByReason(totals, s.reasons),
    listeners: summarizeListeners(s.counters.listeners, s.reasons, s.naming),
    remotes: summarizeRemotes(s.counters.remotes, s.reasons, s.naming),
    ...(s.peaks !== null ? { peaks: summarizePeaks(s.peaks, s.naming) } : {}),
    events: {
      delivered: s.delivered,
      lost: totals[TOTAL_SLOTS.ringbufLost] ?? 0,
      notPrinted: s.notPrinted,
    },
    unattributed: {
      listeners: totals[TOTAL_SLOTS.listenerMapFull] ?? 0,
      remotes: totals[TOTAL_SLOTS.remoteMapFull] ?? 0,
    },
  };
}

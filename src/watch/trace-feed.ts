/**
 * The tracer's side of each tick: the trace session `synq trace-drops` drives (open, drain,
 * lost, close), opened for the dashboard. Without one (--no-trace, no root, no BTF, a strategy
 * that does not load) the dashboard samples alone and says why there are no live events.
 */
import { SynqError } from "../errors.js";
import type { TraceDrop, TraceStart } from "../model/trace.js";
import type { PeakEntry } from "../trace/bpf-maps.js";
import type { TraceRequest } from "../trace/request.js";
import type { TracingState } from "./frame-model.js";

/** What the poll loop takes from the tracer each tick. */
export interface TraceFeed {
  /** Records delivered since the last call, oldest first. */
  drain(): Promise<TraceDrop[]>;
  /** Records lost to a full ring buffer so far. */
  lost(): number;
  /**
   * The deepest accept queue each listener reached since the last call, by socket inode; null
   * while the session offers none (the table shows "-").
   */
  peaks(): ReadonlyMap<number, number> | null;
  /** Detaches and frees everything the tracer created; idempotent. */
  close(): void;
}

/**
 * The peaks of one read by listening socket's inode (what the table's rows carry); a listener
 * the tracer saw in two namespaces' views (none today) keeps its largest.
 */
export function peaksByInode(entries: readonly PeakEntry[] | null): Map<number, number> | null {
  if (entries === null) return null;
  const byInode = new Map<number, number>();
  for (const e of entries) {
    byInode.set(e.key.sockIno, Math.max(e.depth, byInode.get(e.key.sockIno) ?? 0));
  }
  return byInode;
}

/** How the header says where the tracer is attached. */
export function tracingState(start: TraceStart): TracingState {
  const hook =
    start.tcHook !== null
      ? `${start.tcHook} on ${start.interfaces.join(",")}`
      : start.cgroup !== null
        ? `cgroup ${start.cgroup}`
        : null;
  return { on: true, strategy: start.strategy, hook };
}

/**
 * Opens the tracer for `req` (null: --no-trace). A failure a user can act on (not root, no
 * BTF, a strategy the kernel refuses) is not fatal: the dashboard shows its reason.
 */
export async function openTraceFeed(
  req: TraceRequest | null,
): Promise<{ feed: TraceFeed | null; state: TracingState }> {
  if (req === null) return { feed: null, state: { on: false, reason: "--no-trace" } };
  // Loaded only when tracing: libbpf and koffi are not needed otherwise.
  const { TraceSession } = await import("../trace/session.js");
  let session: Awaited<ReturnType<typeof TraceSession.open>>;
  try {
    session = await TraceSession.open(req);
  } catch (err) {
    // The session's refusals speak of trace-drops, the command that usually opens it.
    const reason =
      err instanceof SynqError ? err.message.replace(/^trace-drops /, "tracing ") : null;
    if (reason !== null) return { feed: null, state: { on: false, reason } };
    throw err;
  }
  const traced = session;
  return {
    feed: {
      drain: () => traced.drain(),
      lost: () => traced.lost(),
      peaks: () => peaksByInode(traced.readPeaks({ reset: true })),
      close: () => {
        traced.close();
      },
    },
    state: tracingState(traced.start),
  };
}

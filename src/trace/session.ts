/**
 * A trace session: open (load and attach) → drain records → read counters and peaks → close.
 * It prints nothing: `synq trace-drops` hands what it returns to a sink (src/render/trace-sinks.ts), and
 * any other consumer can do the same with its own. close() releases every link, program, map,
 * qdisc and filter the kernel side created, once, however often it is called.
 */

import { TRACE_SCHEMA_VERSION } from "../model/schema-versions.js";
import type { TraceDrop, TraceStart, TraceSummary } from "../model/trace.js";
import type { SocketOwner } from "../parsers/listener-socket.js";
import { NetnsLabels } from "../system/netns-labels.js";
import { OwnerResolver } from "../system/owner-cache.js";
import type { PeakEntry } from "./bpf-maps.js";
import { type WallClock, wallClock } from "./clock.js";
import { decodeEvent, type ListenerKey, type RawEvent } from "./event-layout.js";
import { type AttachedTracer, type KernelSide, liveKernel } from "./kernel-side.js";
import { dropRecord, type Naming } from "./records.js";
import type { TraceRequest } from "./request.js";
import type { ReleaseFailure } from "./resources.js";
import { buildSummary, type TraceCounters } from "./summary.js";

/** Namespace labels by inode, looked up when first seen (NetnsLabels). */
export interface NetnsNameLookup {
  known(inode: number): string | null;
  resolve(inode: number): Promise<string | null>;
}

/** Socket holders by inode, looked up when first seen (OwnerResolver). */
export interface OwnerLookup {
  known(inode: number): Pick<SocketOwner, "pid" | "command">[];
  resolve(inode: number): Promise<unknown>;
}

/** What a session runs on; tests replace the kernel side, the lookups and the clocks. */
export interface SessionDeps {
  kernel: KernelSide;
  names: NetnsNameLookup;
  owners: OwnerLookup;
  /** Turns the records' CLOCK_MONOTONIC stamps into wall-clock µs. */
  clock: WallClock;
  /** Milliseconds of a monotonic clock, for the duration (performance.now). */
  nowMs: () => number;
}

/** The live system: libbpf, /run/netns, /proc. */
export function liveDeps(): SessionDeps {
  return {
    kernel: liveKernel,
    names: new NetnsLabels(),
    owners: new OwnerResolver(),
    clock: wallClock(),
    nowMs: () => performance.now(),
  };
}

/** Records as the ring buffer hands them over, until the session drains them. */
interface Inbox {
  events: RawEvent[];
  delivered: number;
}

export class TraceSession {
  private detachedAtMs: number | null = null;
  private closed: ReleaseFailure[] | null = null;
  private readonly naming: Naming;

  private constructor(
    private readonly tracer: AttachedTracer,
    private readonly deps: SessionDeps,
    private readonly req: TraceRequest,
    /** When the tracer was attached (deps.nowMs), the start of --duration. */
    readonly startedMs: number,
    /** The start record: what is traced, how, and which strategies were tried. */
    readonly start: TraceStart,
    private readonly inbox: Inbox,
  ) {
    this.naming = {
      netnsName: (ino) => deps.names.known(ino),
      owners: (ino) => deps.owners.known(ino),
    };
  }

  /** Loads and attaches the tracer the request asks for. */
  static async open(req: TraceRequest, deps: SessionDeps = liveDeps()): Promise<TraceSession> {
    const inbox: Inbox = { events: [], delivered: 0 };
    const tracer = await deps.kernel.open(req, (record) => {
      inbox.delivered++;
      inbox.events.push(decodeEvent(record));
    });
    try {
      const startedMs = deps.nowMs();
      const start: TraceStart = {
        schemaVersion: TRACE_SCHEMA_VERSION,
        type: "start",
        strategy: tracer.strategy,
        attempts: tracer.attempts,
        reasons: req.reasons,
        port: req.port,
        netns:
          tracer.netnsIno !== null
            ? { inode: tracer.netnsIno, name: await deps.names.resolve(tracer.netnsIno) }
            : null,
        interfaces: tracer.tcAttachments.map((a) => a.ifname),
        tcHook: tracer.tcAttachments[0]?.hook ?? null,
        cgroup: tracer.cgroup,
        kernel: tracer.kernel,
      };
      return new TraceSession(tracer, deps, req, startedMs, start, inbox);
    } catch (err) {
      tracer.close();
      throw err;
    }
  }

  /** The records the ring buffer holds now, as drop records in arrival order. */
  async drain(): Promise<TraceDrop[]> {
    this.tracer.consume();
    const batch = this.inbox.events.splice(0, this.inbox.events.length);
    if (batch.length === 0) return [];
    // Look up what is new in this batch once, then name every record.
    await Promise.all([
      ...[...new Set(batch.map((e) => e.sockIno))].map((i) => this.deps.owners.resolve(i)),
      ...[...new Set(batch.map((e) => e.netnsIno))].map((i) => this.deps.names.resolve(i)),
    ]);
    return batch.map((e) => dropRecord(e, this.deps.clock.toEpochMicros(e.tsNs), this.naming));
  }

  /** Records lost so far because the ring buffer was full (the counts stay exact). */
  lost(): number {
    return this.tracer.lost();
  }

  /**
   * Each listener's peak accept-queue depth since the session opened or the last reset: the
   * largest sk_ack_backlog seen on an inspected SYN or ACK (what that means per strategy:
   * README, `synq trace-drops`). Listeners never seen with a non-empty queue are absent.
   * `reset: true` starts a new window at once and loses no update made meanwhile (a consumer
   * reading every tick gets each tick's peak); `reset: false` leaves the window running.
   * With `reset` the call blocks for one RCU grace period (milliseconds). Null when the
   * request did not ask for peaks.
   */
  readPeaks(opts: { reset: boolean }): PeakEntry[] | null {
    return this.tracer.peaks(opts.reset);
  }

  /** The counter maps as they are now: exact, never sampled (what summary() is made of). */
  counters(): TraceCounters {
    return this.tracer.counters();
  }

  /** Deletes these per-listener counter entries (of sockets that closed); returns how many. */
  forgetListeners(keys: readonly ListenerKey[]): number {
    return this.tracer.forgetListeners(keys);
  }

  /** Detaches every program: nothing more is counted; what is left can still be drained. */
  detach(): ReleaseFailure[] {
    this.detachedAtMs ??= this.deps.nowMs();
    return this.tracer.detach();
  }

  /**
   * The summary from the counter maps (exact) and the peaks since the last reset (readPeaks);
   * final once detached.
   */
  async summary(notPrinted: number): Promise<TraceSummary> {
    const counters = this.tracer.counters();
    const peaks = this.tracer.peaks(false);
    await Promise.all([
      ...[...counters.listeners, ...(peaks ?? [])].map((e) =>
        this.deps.owners.resolve(e.key.sockIno),
      ),
      ...[...counters.listeners, ...counters.remotes, ...(peaks ?? [])].map((e) =>
        this.deps.names.resolve(e.key.netnsIno),
      ),
    ]);
    const endMs = this.detachedAtMs ?? this.deps.nowMs();
    return buildSummary({
      strategy: this.tracer.strategy,
      reasons: this.req.reasons,
      durationSeconds: (endMs - this.startedMs) / 1000,
      counters,
      peaks,
      delivered: this.inbox.delivered,
      notPrinted,
      naming: this.naming,
    });
  }

  /** Releases everything the kernel side created; the first call does it, later ones return its failures. */
  close(): ReleaseFailure[] {
    this.closed ??= this.tracer.close();
    return this.closed;
  }
}

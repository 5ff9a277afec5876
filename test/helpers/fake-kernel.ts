/**
 * A kernel side for trace sessions made of a capture (fixtures/trace/…/raw.json): it opens
 * "the tracer" the capture recorded, delivers its ring-buffer records in batches, reports its
 * losses and counter maps (decoded, as liveKernel hands them over), and counts detach() and close() calls. With it the session, the
 * sinks and `traceDrops` run exactly as they do live, without root or BPF.
 */
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import type { WallClock } from "../../src/trace/clock.js";
import { decodeEvent } from "../../src/trace/event-layout.js";
import type { AttachedTracer, KernelSide } from "../../src/trace/kernel-side.js";
import type { SessionDeps } from "../../src/trace/session.js";
import type { TraceOutput } from "../../src/trace/trace-service.js";
import { type TraceRaw, traceCounters } from "./trace-replay.js";

function view(base64: string): DataView {
  const b = Buffer.from(base64, "base64");
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** What a fake kernel was asked to do, for the tests' assertions. */
export interface FakeKernelLog {
  opened: number;
  consumed: number;
  detached: number;
  closed: number;
}

/** How the fake hands records over and what it does meanwhile. */
export interface FakeKernelOptions {
  /** Records handed over by each consume() call, in order; default: all at the first. */
  batches?: number[];
  /** Loss counter after each consume() call (default: the capture's final count). */
  lostAfter?: number[];
  /** Called after each consume() with its number (1-based): tests stop the run from here. */
  onConsume?: (n: number) => void;
  /** Thrown by open() instead of opening. */
  openError?: Error;
}

/** A kernel side replaying `raw`, and the log of what was done to it. */
export function capturedKernel(
  raw: TraceRaw,
  opts: FakeKernelOptions = {},
): { kernel: KernelSide; log: FakeKernelLog } {
  const log: FakeKernelLog = { opened: 0, consumed: 0, detached: 0, closed: 0 };
  const batches = opts.batches ?? [raw.records.length];
  const kernel: KernelSide = {
    async open(_req, onRecord) {
      if (opts.openError) throw opts.openError;
      log.opened++;
      let next = 0;
      const tracer: AttachedTracer = {
        strategy: raw.start.strategy,
        attempts: raw.start.attempts,
        tcAttachments: raw.start.interfaces.map((ifname, i) => ({
          ifname,
          ifindex: i + 1,
          hook: raw.start.tcHook ?? "tcx",
          handle: 0,
          priority: 0,
          createdQdisc: false,
        })) as AttachedTracer["tcAttachments"],
        cgroup: raw.start.cgroup,
        netnsIno: raw.start.netnsInode,
        kernel: raw.start.kernel,
        consume() {
          const n = batches[log.consumed] ?? 0;
          log.consumed++;
          const records = raw.records.slice(next, next + n);
          next += records.length;
          for (const r of records) onRecord(view(r.bytes));
          opts.onConsume?.(log.consumed);
          return records.length;
        },
        lost: () => opts.lostAfter?.[Math.max(0, log.consumed - 1)] ?? raw.lost,
        counters: () => traceCounters(raw.counters),
        forgetListeners: () => 0,
        // Captures made before peaks existed have neither the request flag nor the peaks.
        peaks: () => (raw.request.peaks ? (raw.peaks ?? []) : null),
        detach() {
          log.detached++;
          return [];
        },
        close() {
          log.closed++;
          return [];
        },
      };
      return tracer;
    },
  };
  return { kernel, log };
}

/** The wall-clock µs the capture gave each record, looked up by the record's own stamp. */
export function capturedClock(raw: TraceRaw): WallClock {
  const byStamp = new Map(raw.records.map((r) => [decodeEvent(view(r.bytes)).tsNs, r.timeUs]));
  return {
    toEpochMicros: (t) => {
      const us = byStamp.get(t);
      if (us === undefined) throw new Error(`no captured time for stamp ${t}`);
      return us;
    },
  };
}

/** An end time E for a start of 0 with E / 1000 exactly `seconds` (a float's round trip). */
export function endMsFor(seconds: number): number {
  const end = seconds * 1000;
  const step = Number.EPSILON * end;
  for (let i = -4; i <= 4; i++) {
    if ((end + i * step) / 1000 === seconds) return end + i * step;
  }
  return end;
}

/** A monotonic clock the test sets by hand (milliseconds). */
export function manualTime(): { nowMs: () => number; set: (ms: number) => void } {
  let t = 0;
  return { nowMs: () => t, set: (ms) => (t = ms) };
}

/**
 * The label synq gives a captured namespace: its /run/netns name, else `pid:<n>` of the lowest
 * pid that held it (as NetnsLabels and `synq status` name it).
 */
export function capturedLabel(n: TraceRaw["naming"]["netns"][number]): string | null {
  return n.name ?? (n.pids[0] !== undefined ? `pid:${n.pids[0]}` : null);
}

/** The session's lookups answered from the capture's naming tables. */
export function capturedLookups(raw: TraceRaw): Pick<SessionDeps, "names" | "owners"> {
  const names = new Map(raw.naming.netns.map((n) => [n.inode, capturedLabel(n)]));
  const owners = new Map(
    raw.naming.sockets.map((s) => [
      s.inode,
      s.owners.map((o) => ({ pid: o.pid, command: o.command })),
    ]),
  );
  return {
    names: {
      known: (ino) => names.get(ino) ?? null,
      resolve: async (ino) => names.get(ino) ?? null,
    },
    owners: {
      known: (ino) => owners.get(ino) ?? [],
      resolve: async (ino) => owners.get(ino) ?? [],
    },
  };
}

/** stdout and stderr that keep what is written (and can fail on demand). */
export function capturingOutput(): TraceOutput & { text: () => string; errText: () => string } {
  let out = "";
  let err = "";
  const stream = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  return {
    out: stream((s) => (out += s)),
    err: stream((s) => (err += s)),
    text: () => out,
    errText: () => err,
  };
}

/** Signals for one run: tests emit SIGINT/SIGTERM/SIGHUP on it. */
export function fakeSignals(): EventEmitter {
  return new EventEmitter();
}

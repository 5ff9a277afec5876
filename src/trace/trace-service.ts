/**
 * `synq trace-drops`: checks what is needed, loads and attaches the tracer, drains its ring
 * buffer every 100 ms into drop records until Ctrl-C, SIGTERM, --duration, a closed stdout
 * or an error, then detaches, reads the exact counters and prints the summary. Whatever
 * happens, Tracer.close() releases every link, program, map, qdisc and filter it created.
 */
import { readFileSync } from "node:fs";
import { SynqError } from "../errors.js";
import { TRACE_SCHEMA_VERSION } from "../model/schema-versions.js";
import type { TraceDrop, TraceLost, TraceStart, TraceSummary } from "../model/trace.js";
import type { Reason, Strategy, TcHookChoice } from "../model/trace-enums.js";
import { dropHeader, dropLine, startBanner, summaryText } from "../render/trace.js";
import { resolveCgroup } from "../system/cgroup-path.js";
import { NetnsHandle } from "../system/enter-netns.js";
import { resolveNetns } from "../system/netns.js";
import { NetnsNames } from "../system/netns-names.js";
import { isPipe, readerGone } from "../system/output-watch.js";
import { OwnerResolver } from "../system/owner-cache.js";
import { readHashCounts, readTotals } from "./bpf-maps.js";
import { wallClock } from "./clock.js";
import {
  ACCEPTQ_LISTENER_KEY,
  ACCEPTQ_REMOTE_KEY,
  decodeEvent,
  decodeListenerKey,
  decodeRemoteKey,
  type RawEvent,
  TOTAL_SLOTS,
} from "./event-layout.js";
import {
  assertBtf,
  assertPrivileges,
  effectiveCapabilities,
  readKernelFeatures,
} from "./kernel-features.js";
import { openTracer, type Tracer } from "./loader.js";
import { PrintLimiter } from "./rate-limit.js";
import {
  dropRecord,
  type Naming,
  summarizeListeners,
  summarizeRemotes,
  totalsByReason,
} from "./records.js";

/** How often the ring buffer is drained, and signals noticed. */
export const POLL_MS = 100;

/** What `synq trace-drops` was asked for. */
export interface TraceRequest {
  strategy: Strategy | "auto";
  port: number | null;
  /** A /run/netns name or a namespace file path. */
  netns: string | null;
  reasons: Reason[];
  interfaces: string[];
  /** tc: tcx, clsact, or auto (tcx where the kernel has it). */
  tcHook: TcHookChoice;
  /** cgroup: the cgroup directory to attach to, as given (absolute or under the root). */
  cgroup: string | null;
  durationSeconds: number | null;
  /** Print only the summary, no per-drop lines. */
  summaryOnly: boolean;
  json: boolean;
  verbose: boolean;
  maxEventsPerSec: number;
  /** Ring buffer size, KiB. */
  ringBufferKb: number;
}

/** Where output goes (process.stdout/stderr; tests pass their own). */
export interface TraceOutput {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** The file descriptor behind `out`, watched for a reader that went away. */
  outFd?: number;
}

/** Why tracing ended. */
type StopCause = "signal" | "duration" | "broken-pipe" | "output-error";

/** Signals that end tracing cleanly (SIGHUP: the terminal went away). */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function sleepUnless(ms: number, stopped: () => boolean, wake: Set<() => void>): Promise<void> {
  if (stopped()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wake.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wake.add(done);
  });
}

/** Runs the tracer until told to stop; returns the summary (also printed). */
export async function traceDrops(
  req: TraceRequest,
  io: TraceOutput = { out: process.stdout, err: process.stderr, outFd: 1 },
): Promise<TraceSummary> {
  assertPrivileges(
    effectiveCapabilities(readFileSync("/proc/self/status", "utf8")),
    process.geteuid?.() ?? 0,
    req.strategy === "tc",
  );
  assertBtf();
  const target = req.netns !== null ? await resolveNetns(req.netns) : null;
  const features = readKernelFeatures();
  const cgroup = req.cgroup !== null ? resolveCgroup(req.cgroup, features.cgroup2Root) : null;

  let stopCause: StopCause | null = null;
  const wake = new Set<() => void>();
  const stop = (cause: StopCause) => {
    stopCause ??= cause;
    for (const w of [...wake]) w();
  };
  const onSignal = () => stop("signal");
  let outputError: NodeJS.ErrnoException | null = null;
  const onOutError = (e: NodeJS.ErrnoException) => {
    // `| head` closing the pipe is a normal way to stop; any other write error is an error.
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") stop("broken-pipe");
    else {
      outputError ??= e;
      stop("output-error");
    }
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  // While tracing, synq alone decides what an output error means: other listeners (oclif
  // rethrows everything but EPIPE) would turn it into a crash that skips the cleanup.
  const otherOutListeners = io.out.listeners("error") as ((e: Error) => void)[];
  io.out.removeAllListeners("error");
  io.out.on("error", onOutError);

  const names = new NetnsNames();
  const owners = new OwnerResolver();
  const naming: Naming = {
    netnsName: (ino) => names.known(ino),
    owners: (ino) => owners.known(ino),
  };
  const clock = wallClock();
  const limiter = new PrintLimiter(req.maxEventsPerSec);
  const pending: RawEvent[] = [];
  let delivered = 0;
  const write = (text: string) => {
    if (stopCause === "broken-pipe" || stopCause === "output-error") return;
    io.out.write(`${text}\n`);
  };

  let netnsHandle: NetnsHandle | null = null;
  let tracer: Tracer | null = null;
  // Last resort: an uncaught exception or a process.exit() elsewhere still detaches.
  const onExit = () => {
    tracer?.close();
  };
  process.once("exit", onExit);
  try {
    if (target?.path) netnsHandle = NetnsHandle.open(target.path);
    tracer = openTracer(
      req.strategy,
      features,
      {
        port: req.port,
        netns: netnsHandle,
        reasons: req.reasons,
        interfaces: req.interfaces,
        tcHook: req.tcHook,
        cgroup,
        records: !req.summaryOnly,
        ringBufferBytes: req.ringBufferKb * 1024,
      },
      (record) => {
        delivered++;
        pending.push(decodeEvent(record));
      },
    );
    const started = performance.now();
    const startNetns =
      tracer.netnsIno !== null
        ? { inode: tracer.netnsIno, name: await names.resolve(tracer.netnsIno) }
        : null;
    const start: TraceStart = {
      schemaVersion: TRACE_SCHEMA_VERSION,
      type: "start",
      strategy: tracer.strategy,
      attempts: tracer.attempts,
      reasons: req.reasons,
      port: req.port,
      netns: startNetns,
      interfaces: tracer.tcAttachments.map((a) => a.ifname),
      tcHook: tracer.tcAttachments[0]?.hook ?? null,
      cgroup: tracer.cgroup,
      kernel: features.release,
    };
    if (req.json) write(JSON.stringify(start));
    else {
      io.err.write(`${startBanner(start, req.verbose)}\n`);
      if (!req.summaryOnly) write(dropHeader());
    }

    const flush = async () => {
      const batch = pending.splice(0, pending.length);
      if (batch.length === 0 || req.summaryOnly) return;
      // Look up what is new in this batch once, then print it in order.
      await Promise.all([
        ...[...new Set(batch.map((e) => e.sockIno))].map((i) => owners.resolve(i)),
        ...[...new Set(batch.map((e) => e.netnsIno))].map((i) => names.resolve(i)),
      ]);
      // One write per drain: a flood brings thousands of records every 100 ms.
      const lines: string[] = [];
      for (const e of batch) {
        const timeUs = clock.toEpochMicros(e.tsNs);
        if (!limiter.allow(timeUs)) continue;
        const d: TraceDrop = dropRecord(e, timeUs, naming);
        lines.push(req.json ? JSON.stringify(d) : dropLine(d));
      }
      if (lines.length > 0) write(lines.join("\n"));
    };

    // Records lost to a full ring buffer are said while it happens, at most once a second.
    let lostReported = 0;
    let lostCheckedAt = 0;
    const reportLoss = (force = false) => {
      const now = performance.now();
      if ((!force && now - lostCheckedAt < 1000) || tracer === null) return;
      lostCheckedAt = now;
      const lost = readTotals(tracer.totalsFd)[TOTAL_SLOTS.ringbufLost] ?? 0;
      if (lost === lostReported) return;
      lostReported = lost;
      const timeUs = Math.round((performance.timeOrigin + now) * 1000);
      if (req.json) {
        const record: TraceLost = {
          schemaVersion: TRACE_SCHEMA_VERSION,
          type: "lost",
          timeUs,
          lost,
        };
        write(JSON.stringify(record));
      } else {
        io.err.write(
          `synq: ${lost} drop records lost so far: the ring buffer was full (counts stay exact; --ring-buffer-kb makes it larger)\n`,
        );
      }
    };

    // `| head`: stop as soon as head exits, not at the next drop's failed write.
    const watchFd = io.outFd !== undefined && isPipe(io.outFd) ? io.outFd : null;
    const deadline = req.durationSeconds !== null ? started + req.durationSeconds * 1000 : null;
    if (deadline !== null && req.durationSeconds === 0) stop("duration");
    while (stopCause === null) {
      const wait = deadline === null ? POLL_MS : Math.min(POLL_MS, deadline - performance.now());
      await sleepUnless(Math.max(0, wait), () => stopCause !== null, wake);
      tracer.consume();
      await flush();
      reportLoss();
      if (deadline !== null && performance.now() >= deadline) stop("duration");
      if (watchFd !== null && readerGone(watchFd)) stop("broken-pipe");
    }

    // Detach first, then drain what is left and read the counters: final and exact.
    const detachFailures = tracer.detach();
    const durationSeconds = (performance.now() - started) / 1000;
    tracer.consume();
    await flush();
    reportLoss(true);
    const summary = await buildSummary(tracer, req.reasons, durationSeconds, {
      delivered,
      notPrinted: limiter.suppressed,
      owners,
      names,
      naming,
    });
    if (req.json) write(JSON.stringify(summary));
    else write(summaryText(summary));
    if (detachFailures.length) throw cleanupError(detachFailures);
    if (outputError !== null) {
      const e: NodeJS.ErrnoException = outputError;
      throw new SynqError(
        "systemRead",
        `cannot write the output (${e.code ?? e.message})`,
        "write to a file system with space, or a pipe that stays open",
      );
    }
    return summary;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    const failures = tracer?.close() ?? [];
    process.off("exit", onExit);
    netnsHandle?.close();
    for (const l of otherOutListeners) io.out.on("error", l);
    if (failures.length) io.err.write(`synq: ${cleanupError(failures).oneLine()}\n`);
  }
}

function cleanupError(failures: { what: string; error: unknown }[]): SynqError {
  const list = failures.map((f) => `${f.what} (${(f.error as Error).message})`).join("; ");
  return new SynqError(
    "systemRead",
    `could not remove ${list}`,
    "remove it by hand: tc filter del / tc qdisc del clsact, bpftool link",
  );
}

async function buildSummary(
  tracer: Tracer,
  reasons: Reason[],
  durationSeconds: number,
  ctx: {
    delivered: number;
    notPrinted: number;
    owners: OwnerResolver;
    names: NetnsNames;
    naming: Naming;
  },
): Promise<TraceSummary> {
  const totals = readTotals(tracer.totalsFd);
  const listenerEntries = readHashCounts(tracer.listenersFd, ACCEPTQ_LISTENER_KEY.size).map(
    (e) => ({ key: decodeListenerKey(e.key), count: e.count }),
  );
  const remoteEntries = readHashCounts(tracer.remotesFd, ACCEPTQ_REMOTE_KEY.size).map((e) => ({
    key: decodeRemoteKey(e.key),
    count: e.count,
  }));
  await Promise.all([
    ...listenerEntries.map((e) => ctx.owners.resolve(e.key.sockIno)),
    ...[...listenerEntries, ...remoteEntries].map((e) => ctx.names.resolve(e.key.netnsIno)),
  ]);
  return {
    schemaVersion: TRACE_SCHEMA_VERSION,
    type: "summary",
    strategy: tracer.strategy,
    durationSeconds,
    totals: totalsByReason(totals, reasons),
    listeners: summarizeListeners(listenerEntries, reasons, ctx.naming),
    remotes: summarizeRemotes(remoteEntries, reasons, ctx.naming),
    events: {
      delivered: ctx.delivered,
      lost: totals[TOTAL_SLOTS.ringbufLost] ?? 0,
      notPrinted: ctx.notPrinted,
    },
    unattributed: {
      listeners: totals[TOTAL_SLOTS.listenerMapFull] ?? 0,
      remotes: totals[TOTAL_SLOTS.remoteMapFull] ?? 0,
    },
  };
}

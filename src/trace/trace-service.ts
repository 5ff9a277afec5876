/**
 * `synq trace-drops`: a trace session (session.ts) and a sink (render/trace-sinks.ts). The
 * session is drained every 100 ms until Ctrl-C, SIGTERM, SIGHUP, --duration, a closed stdout
 * or an output error; then it is detached, drained a last time, and its exact counters become
 * the summary. Whatever happens, the session is closed exactly once.
 */
import { SynqError } from "../errors.js";
import { TRACE_SCHEMA_VERSION } from "../model/schema-versions.js";
import type { TraceLost, TraceSummary } from "../model/trace.js";
import { jsonLinesSink, type TraceSink, textSink } from "../render/trace-sinks.js";
import { isPipe, readerGone } from "../system/output-watch.js";
import { lossReporter } from "./loss-reporter.js";
import { PrintLimiter } from "./rate-limit.js";
import type { TraceRequest } from "./request.js";
import { liveDeps, type SessionDeps, TraceSession } from "./session.js";

/** How often the ring buffer is drained, and signals noticed. */
export const POLL_MS = 100;

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

/** Where stop signals come from: the process, or a test's emitter. */
export type SignalSource = Pick<NodeJS.EventEmitter, "on" | "off">;

/** Runs the tracer until told to stop; returns the summary (also printed). */
export async function traceDrops(
  req: TraceRequest,
  io: TraceOutput = { out: process.stdout, err: process.stderr, outFd: 1 },
  deps: SessionDeps = liveDeps(),
  signals: SignalSource = process,
): Promise<TraceSummary> {
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
  for (const s of STOP_SIGNALS) signals.on(s, onSignal);
  // While tracing, synq alone decides what an output error means: other listeners (oclif
  // rethrows everything but EPIPE) would turn it into a crash that skips the cleanup.
  const otherOutListeners = io.out.listeners("error") as ((e: Error) => void)[];
  io.out.removeAllListeners("error");
  io.out.on("error", onOutError);

  const write = (text: string) => {
    if (stopCause === "broken-pipe" || stopCause === "output-error") return;
    io.out.write(`${text}\n`);
  };
  const sink: TraceSink = req.json
    ? jsonLinesSink(write)
    : textSink(write, (text) => io.err.write(`${text}\n`), req);
  const limiter = new PrintLimiter(req.maxEventsPerSec);

  let session: TraceSession | null = null;
  // Last resort: an uncaught exception or a process.exit() elsewhere still detaches.
  const onExit = () => {
    session?.close();
  };
  process.once("exit", onExit);
  try {
    session = await TraceSession.open(req, deps);
    const traced = session;
    sink.start(traced.start);

    const drain = async () => {
      const drops = await traced.drain();
      if (req.summaryOnly) return;
      sink.drops(drops.filter((d) => limiter.allow(d.timeUs)));
    };

    const reportLoss = lossReporter(
      () => traced.lost(),
      deps.nowMs,
      (lost, now) =>
        sink.lost({
          schemaVersion: TRACE_SCHEMA_VERSION,
          type: "lost",
          timeUs: Math.round((performance.timeOrigin + now) * 1000),
          lost,
        } satisfies TraceLost),
    );

    // `| head`: stop as soon as head exits, not at the next drop's failed write.
    const watchFd = io.outFd !== undefined && isPipe(io.outFd) ? io.outFd : null;
    const deadline =
      req.durationSeconds !== null ? traced.startedMs + req.durationSeconds * 1000 : null;
    if (deadline !== null && req.durationSeconds === 0) stop("duration");
    while (stopCause === null) {
      const wait = deadline === null ? POLL_MS : Math.min(POLL_MS, deadline - deps.nowMs());
      await sleepUnless(Math.max(0, wait), () => stopCause !== null, wake);
      await drain();
      reportLoss();
      if (deadline !== null && deps.nowMs() >= deadline) stop("duration");
      if (watchFd !== null && readerGone(watchFd)) stop("broken-pipe");
    }

    // Detach first, then drain what is left and read the counters: final and exact.
    const detachFailures = traced.detach();
    await drain();
    reportLoss(true);
    const summary = await traced.summary(limiter.suppressed);
    sink.summary(summary);
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
    for (const s of STOP_SIGNALS) signals.off(s, onSignal);
    const failures = session?.close() ?? [];
    process.off("exit", onExit);
    for (const l of otherOutListeners) io.out.on("error", l);
    if (failures.length) io.err.write(`synq: ${cleanupError(failures).oneLine()}\n`);
  }
}

/** What the tracer could not remove, as one error naming how to remove it by hand. */
export function cleanupError(failures: { what: string; error: unknown }[]): SynqError {
  const list = failures.map((f) => `${f.what} (${(f.error as Error).message})`).join("; ");
  return new SynqError(
    "systemRead",
    `could not remove ${list}`,
    "remove it by hand: tc filter del / tc qdisc del clsact, bpftool link",
  );
}

/**
 * `synq export --trace`: the tracer opened before anything is served or written, and closed
 * exactly once however the export ends (a signal, an error, a server that did not start; an
 * exit handler as the last resort). SIGINT and SIGTERM are caught from the moment tracing
 * starts, so none can kill the process with the tracer attached.
 */
import { EventEmitter } from "node:events";
import type { SynqError } from "../errors.js";
import type { TraceRequest } from "../trace/request.js";
import type { CollectRequest } from "./collection.js";
import type { ListenAddress } from "./listen-address.js";
import type { ServeIo } from "./serve-export.js";
import { ExportTrace } from "./trace-source.js";

/** What the traced export was asked for. */
export interface TracedExport {
  trace: TraceRequest;
  peakWindowSeconds: number;
  collect: CollectRequest;
  /** --textfile and --duration; else served. */
  textfile?: { path: string; durationSeconds: number };
  serve?: { listen: ListenAddress; webConfig: string | undefined };
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Signals remembered from the start: a handler added after one arrived still hears it. */
class LatchedSignals {
  private readonly emitter = new EventEmitter();
  private readonly seen = new Set<string>();
  private readonly handlers = STOP_SIGNALS.map((s) => {
    const h = () => {
      this.seen.add(s);
      this.emitter.emit(s);
    };
    process.on(s, h);
    return [s, h] as const;
  });

  get stopped(): boolean {
    return this.seen.size > 0;
  }

  once(signal: string, handler: () => void): EventEmitter {
    if (this.seen.has(signal)) queueMicrotask(handler);
    else this.emitter.once(signal, handler);
    return this.emitter;
  }

  off(signal: string, handler: () => void): EventEmitter {
    return this.emitter.off(signal, handler);
  }

  /** Resolves after `ms`, or at once when a stop signal arrives. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const s of STOP_SIGNALS) this.emitter.off(s, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const s of STOP_SIGNALS) this.once(s, done);
    });
  }

  dispose(): void {
    for (const [s, h] of this.handlers) process.off(s, h);
  }
}

/** Opens the tracer (ExportTrace.open; tests pass one on a fake kernel). */
export type OpenTrace = (
  req: TraceRequest,
  peakWindowSeconds: number,
  selection: CollectRequest,
) => Promise<ExportTrace>;

/** Runs the export with the tracer; returns once it is closed. */
export async function runTracedExport(
  req: TracedExport,
  openTrace: OpenTrace = (r, w, s) => ExportTrace.open(r, w, s),
): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const signals = new LatchedSignals();
  let trace: ExportTrace | null = null;
  const onExit = () => {
    trace?.close();
  };
  process.once("exit", onExit);
  try {
    if (req.textfile) (await import("./textfile-export.js")).checkTextfile(req.textfile.path);
    trace = await openTrace(req.trace, req.peakWindowSeconds, req.collect);
    const collect = { ...req.collect, producers: [trace.producer] };
    if (req.textfile) {
      log(`synq export: tracing with ${trace.strategy} for ${req.textfile.durationSeconds} s`);
      // A signal ends the trace early: the file then holds what was counted until then.
      await signals.sleep(req.textfile.durationSeconds * 1000);
      await trace.tick();
      const { exportTextfile } = await import("./textfile-export.js");
      await exportTextfile(req.textfile.path, collect);
      return;
    }
    if (!req.serve) throw new Error("a traced export either serves or writes a file");
    // Stopped while the tracer loaded: nothing to serve.
    if (signals.stopped) return;
    log(`synq export: tracing with ${trace.strategy}`);
    const { serveExport } = await import("./serve-export.js");
    const io: ServeIo = { log, signals };
    await serveExport({ ...req.serve, collect }, io);
  } finally {
    const failures = trace?.close() ?? [];
    process.off("exit", onExit);
    signals.dispose();
    if (failures.length) {
      const { cleanupError } = await import("../trace/trace-service.js");
      const err: SynqError = cleanupError(failures);
      log(`synq: ${err.oneLine()}`);
    }
  }
}

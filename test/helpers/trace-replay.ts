/**
 * Replays a trace-drops capture (`fixtures/trace/<kernel>/<scenario>/raw.json`, made by
 * fixtures/capture-trace.ts) through the real output pipeline: `traceDrops` with its session
 * and sinks, on a kernel side that hands over the captured records, losses and counter maps
 * (fake-kernel.ts), with the captured naming and clock. What comes out is what the CLI printed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TraceRecord } from "../../src/model/trace.js";
import type { Reason, Strategy, TcHook } from "../../src/model/trace-enums.js";
import type { PeakEntry } from "../../src/trace/bpf-maps.js";
import type { ListenerKey, RemoteKey } from "../../src/trace/event-layout.js";
import type { StrategyAttempt } from "../../src/trace/loader.js";
import type { TraceRequest } from "../../src/trace/request.js";
import type { TraceCounters } from "../../src/trace/summary.js";
import { traceDrops } from "../../src/trace/trace-service.js";
import {
  capturedClock,
  capturedKernel,
  capturedLookups,
  capturingOutput,
  endMsFor,
  fakeSignals,
  manualTime,
} from "./fake-kernel.js";
import { FIXTURES } from "./fixtures.js";

/** A counter map key as raw.json keeps it: a remote key's prefix bytes as numbers. */
type RawRemoteKey = Omit<RemoteKey, "prefix"> & { prefix: number[] };

/** The counter maps as raw.json keeps them: what the kernel side's counters() returned. */
export interface RawCounters {
  totals: number[];
  listeners: { key: ListenerKey; count: number }[];
  remotes: { key: RawRemoteKey; count: number }[];
}

/** TraceCounters as JSON can hold them. */
export function rawCounters(c: TraceCounters): RawCounters {
  return {
    totals: c.totals,
    listeners: c.listeners,
    remotes: c.remotes.map((e) => ({
      key: { ...e.key, prefix: [...e.key.prefix] },
      count: e.count,
    })),
  };
}

/** raw.json's counters as the kernel side hands them over. */
export function traceCounters(c: RawCounters): TraceCounters {
  return {
    totals: c.totals,
    listeners: c.listeners,
    remotes: c.remotes.map((e) => ({
      key: { ...e.key, prefix: Uint8Array.from(e.key.prefix) },
      count: e.count,
    })),
  };
}

/** raw.json: what the kernel side gave during one captured run (format 2). */
export interface TraceRaw {
  format: 2;
  /**
   * The TraceRequest the flags made (less the output mode, duration and verbosity). Captures
   * made before peaks existed lack `peaks`: replayed as a request that kept none.
   */
  request: Omit<TraceRequest, "durationSeconds" | "json" | "verbose">;
  /** The start record's inputs: the opened tracer and the kernel; the netns as an inode. */
  start: {
    strategy: Strategy;
    attempts: StrategyAttempt[];
    reasons: Reason[];
    port: number | null;
    netnsInode: number | null;
    interfaces: string[];
    tcHook: TcHook | null;
    cgroup: string | null;
    kernel: string;
  };
  /** Every ring-buffer record in arrival order: its bytes, and the wall-clock µs synq gave it. */
  records: { timeUs: number; bytes: string }[];
  /** `lost` reports made while tracing: after how many records, when, and the count then. */
  lostReports: { afterRecords: number; timeUs: number; lost: number }[];
  /** The ring-buffer loss counter at the end (also in counters.totals). */
  lost: number;
  /** The counter maps read after detaching, decoded: every totals slot, the hash maps' keys. */
  counters: RawCounters;
  /** The peak maps read after detaching (absent in captures made before peaks existed). */
  peaks?: PeakEntry[];
  durationSeconds: number;
  /** The naming inputs: every namespace and socket inode seen. */
  naming: {
    /** name: the /run/netns name NetnsNames found (null: none); pids: its holders, ascending. */
    netns: { inode: number; name: string | null; pids: number[] }[];
    /** owners: as OwnerResolver found them (pid order), with the fds holding the socket. */
    sockets: {
      inode: number;
      owners: { command: string; pid: number; fds: number[] }[];
    }[];
  };
}

/** One captured run: raw.json, the CLI's own stdout beside it, meta.json. */
export interface TraceCapture {
  label: string;
  dir: string;
  raw: TraceRaw;
  cliJsonl: string;
  meta: { kernel: string; scenario: string; command: string[] };
}

/** Where trace captures live: `fixtures/trace/<uname -r>/<scenario>/`. */
export const TRACE_FIXTURES = join(FIXTURES, "trace");

/** Every trace capture, by kernel then scenario. */
export function traceCaptures(): TraceCapture[] {
  const dirs = (d: string) =>
    readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  return dirs(TRACE_FIXTURES).flatMap((kernel) =>
    dirs(join(TRACE_FIXTURES, kernel)).map((scenario) => {
      const dir = join(TRACE_FIXTURES, kernel, scenario);
      const read = (f: string) => readFileSync(join(dir, f), "utf8");
      return {
        label: `${kernel}/${scenario}`,
        dir,
        raw: JSON.parse(read("raw.json")) as TraceRaw,
        cliJsonl: read("cli.jsonl"),
        meta: JSON.parse(read("meta.json")) as TraceCapture["meta"],
      };
    }),
  );
}

/** What one run printed, both ways, and the records it was made of. */
export interface TraceReplay {
  /** Without --json, stderr and stdout as on a terminal (banner without --verbose). */
  text: string;
  /** With --json: stdout, one record a line. */
  jsonl: string;
  records: TraceRecord[];
}

/** The request the capture was made with, printed one way or the other. */
function requestOf(raw: TraceRaw, json: boolean): TraceRequest {
  return { ...raw.request, durationSeconds: null, json, verbose: false };
}

/**
 * Runs `synq trace-drops` (traceDrops: session, sink, loop) on a kernel side that replays the
 * capture: every record at the first drain, then Ctrl-C, at the capture's duration.
 */
async function runOn(raw: TraceRaw, json: boolean): Promise<{ out: string; err: string }> {
  const signals = fakeSignals();
  const time = manualTime();
  const { kernel } = capturedKernel(raw, {
    onConsume: (n) => {
      if (n !== 1) return;
      time.set(endMsFor(raw.durationSeconds));
      signals.emit("SIGINT");
    },
  });
  const io = capturingOutput();
  const deps = { kernel, ...capturedLookups(raw), clock: capturedClock(raw), nowMs: time.nowMs };
  await traceDrops(requestOf(raw, json), io, deps, signals);
  return { out: io.text(), err: io.errText() };
}

/** Replays raw.json through the real trace-drops pipeline, both ways. */
export async function replayTrace(raw: TraceRaw): Promise<TraceReplay> {
  const [text, json] = [await runOn(raw, false), await runOn(raw, true)];
  return {
    // The banner is the one line on stderr, and comes first on a terminal.
    text: text.err + text.out,
    jsonl: json.out,
    records: json.out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as TraceRecord),
  };
}

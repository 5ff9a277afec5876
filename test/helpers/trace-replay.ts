/**
 * Replays a trace-drops capture (`fixtures/trace/<kernel>/<scenario>/raw.json`, made by
 * fixtures/capture-trace.ts) through today's output pipeline: the records and summary of
 * src/tracer/records.ts with the captured naming, the renderers of src/render/trace.ts, and
 * the summary assembled as src/tracer/trace-service.ts assembles it (buildSummary, copied
 * here: the service builds it from live map fds). What comes out is what the CLI printed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TRACE_SCHEMA_VERSION } from "../../src/model/schema-versions.js";
import type {
  TraceDrop,
  TraceLost,
  TraceRecord,
  TraceStart,
  TraceSummary,
} from "../../src/model/trace.js";
import type { Reason, Strategy, TcHook, TcHookChoice } from "../../src/model/trace-enums.js";
import { dropHeader, dropLine, startBanner, summaryText } from "../../src/render/trace.js";
import {
  decodeEvent,
  decodeListenerKey,
  decodeRemoteKey,
  TOTAL_SLOTS,
} from "../../src/trace/event-layout.js";
import type { StrategyAttempt } from "../../src/trace/loader.js";
import { PrintLimiter } from "../../src/trace/rate-limit.js";
import {
  dropRecord,
  type Naming,
  summarizeListeners,
  summarizeRemotes,
  totalsByReason,
} from "../../src/trace/records.js";
import { FIXTURES } from "./fixtures.js";

/** raw.json: what the tracer modules gave during one captured run (format 1). */
export interface TraceRaw {
  format: 1;
  /** The TraceRequest the flags made (less the output mode, duration and verbosity). */
  request: {
    strategy: Strategy | "auto";
    port: number | null;
    netns: string | null;
    reasons: Reason[];
    interfaces: string[];
    tcHook: TcHookChoice;
    cgroup: string | null;
    summaryOnly: boolean;
    maxEventsPerSec: number;
    ringBufferKb: number;
  };
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
  /** The ring-buffer loss counter at the end (also in maps.totals). */
  lost: number;
  /** The counter maps read after detaching: every totals slot; hash keys as base64 bytes. */
  maps: {
    totals: number[];
    listeners: { key: string; count: number }[];
    remotes: { key: string; count: number }[];
  };
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

function view(base64: string): DataView {
  const b = Buffer.from(base64, "base64");
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The lookups trace-service.ts hands records.ts, answered from the captured tables. */
export function capturedNaming(raw: TraceRaw): Naming {
  const names = new Map(raw.naming.netns.map((n) => [n.inode, n.name]));
  const owners = new Map(
    raw.naming.sockets.map((s) => [
      s.inode,
      s.owners.map((o) => ({ pid: o.pid, command: o.command })),
    ]),
  );
  return {
    netnsName: (ino) => names.get(ino) ?? null,
    owners: (ino) => owners.get(ino) ?? [],
  };
}

/** The start record trace-service.ts makes from the opened tracer. */
export function replayStart(raw: TraceRaw, naming: Naming = capturedNaming(raw)): TraceStart {
  const s = raw.start;
  return {
    schemaVersion: TRACE_SCHEMA_VERSION,
    type: "start",
    strategy: s.strategy,
    attempts: s.attempts,
    reasons: s.reasons,
    port: s.port,
    netns:
      s.netnsInode !== null ? { inode: s.netnsInode, name: naming.netnsName(s.netnsInode) } : null,
    interfaces: s.interfaces,
    tcHook: s.tcHook,
    cgroup: s.cgroup,
    kernel: s.kernel,
  };
}

/** What one run printed, both ways, and the records it was made of. */
export interface TraceReplay {
  /** Without --json, stderr and stdout as on a terminal (banner without --verbose). */
  text: string;
  /** With --json: stdout, one record a line. */
  jsonl: string;
  records: TraceRecord[];
}

/** Replays raw.json through today's records and renderers (trace-service.ts's flow). */
export function replayTrace(raw: TraceRaw): TraceReplay {
  const naming = capturedNaming(raw);
  const start = replayStart(raw, naming);
  const summaryOnly = raw.request.summaryOnly;
  const limiter = new PrintLimiter(raw.request.maxEventsPerSec);
  const records: TraceRecord[] = [start];
  const text: string[] = [startBanner(start, false)];
  if (!summaryOnly) text.push(dropHeader());
  const losses = [...raw.lostReports];
  const reportLosses = (delivered: number) => {
    while (losses.length > 0 && (losses[0]?.afterRecords ?? 0) <= delivered) {
      const l = losses.shift() as TraceRaw["lostReports"][number];
      const lost: TraceLost = {
        schemaVersion: TRACE_SCHEMA_VERSION,
        type: "lost",
        timeUs: l.timeUs,
        lost: l.lost,
      };
      records.push(lost);
      text.push(
        `synq: ${l.lost} drop records lost so far: the ring buffer was full (counts stay exact; --ring-buffer-kb makes it larger)`,
      );
    }
  };
  raw.records.forEach((r, i) => {
    reportLosses(i);
    if (summaryOnly || !limiter.allow(r.timeUs)) return;
    const d: TraceDrop = dropRecord(decodeEvent(view(r.bytes)), r.timeUs, naming);
    records.push(d);
    text.push(dropLine(d));
  });
  reportLosses(Number.POSITIVE_INFINITY);
  const summary = replaySummary(raw, naming, limiter.suppressed);
  records.push(summary);
  text.push(summaryText(summary));
  return {
    text: `${text.join("\n")}\n`,
    jsonl: records.map((r) => `${JSON.stringify(r)}\n`).join(""),
    records,
  };
}

/** trace-service.ts's buildSummary, from the captured map dumps instead of map fds. */
export function replaySummary(raw: TraceRaw, naming: Naming, notPrinted: number): TraceSummary {
  const totals = raw.maps.totals;
  const reasons = raw.request.reasons;
  const listenerEntries = raw.maps.listeners.map((e) => ({
    key: decodeListenerKey(view(e.key)),
    count: e.count,
  }));
  const remoteEntries = raw.maps.remotes.map((e) => ({
    key: decodeRemoteKey(view(e.key)),
    count: e.count,
  }));
  return {
    schemaVersion: TRACE_SCHEMA_VERSION,
    type: "summary",
    strategy: raw.start.strategy,
    durationSeconds: raw.durationSeconds,
    totals: totalsByReason(totals, reasons),
    listeners: summarizeListeners(listenerEntries, reasons, naming),
    remotes: summarizeRemotes(remoteEntries, reasons, naming),
    events: {
      delivered: raw.records.length,
      lost: totals[TOTAL_SLOTS.ringbufLost] ?? 0,
      notPrinted,
    },
    unattributed: {
      listeners: totals[TOTAL_SLOTS.listenerMapFull] ?? 0,
      remotes: totals[TOTAL_SLOTS.remoteMapFull] ?? 0,
    },
  };
}

/**
 * Runs `synq trace-drops` in the background as a user would (the built CLI), waits until it
 * has attached, and stops it with a signal: for tests that make drops happen meanwhile.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  type TraceDrop,
  type TraceRecord,
  type TraceStart,
  type TraceSummary,
  traceRecordSchema,
} from "../../src/model/trace.js";
import { SYNQ_ARGV } from "./run-synq.js";

/** A running `synq trace-drops`. */
export interface RunningTrace {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Sends `signal` and waits for the exit; returns the exit code (null: killed by a signal). */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts synq and resolves once `ready(stdout, stderr)` holds (default: the start record or
 * the header arrived). `discardStdout` sends stdout to /dev/null (benchmarks).
 */
export async function startTrace(
  args: string[],
  opts: {
    ready?: (stdout: string, stderr: string) => boolean;
    timeoutMs?: number;
    discardStdout?: boolean;
  } = {},
): Promise<RunningTrace> {
  const [cmd, ...rest] = [...SYNQ_ARGV, "trace-drops", ...args] as [string, ...string[]];
  const child = spawn(cmd, rest, {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", opts.discardStdout ? "ignore" : "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const ready =
    opts.ready ?? ((s: string) => s.includes('"type":"start"') || s.includes("TIME(us)"));
  // Under the qemu harness (emulated CPUs) loading and verifying take several times longer.
  const slow = process.env.SYNQ_VM_KERNEL !== undefined ? 4 : 1;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000 * slow);
  while (!ready(out, err)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`synq trace-drops exited (${child.exitCode}) before attaching:\n${err}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`synq trace-drops did not attach in time:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async (signal = "SIGINT") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Every JSON line, validated against the schema. */
export function parseRecords(stdout: string): TraceRecord[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => traceRecordSchema.parse(JSON.parse(l)));
}

/** The start record, drops and summary of a --json run (throws when one is missing). */
export function splitRecords(stdout: string): {
  start: TraceStart;
  drops: TraceDrop[];
  summary: TraceSummary;
} {
  const records = parseRecords(stdout);
  const start = records.find((r): r is TraceStart => r.type === "start");
  const summary = records.find((r): r is TraceSummary => r.type === "summary");
  if (!start || !summary) throw new Error(`no start or summary record in:\n${stdout}`);
  return { start, drops: records.filter((r): r is TraceDrop => r.type === "drop"), summary };
}

/** Runs `synq trace-drops <args>` to completion under a wrapper command (setpriv, unshare …). */
export function runTraceWrapped(
  wrapper: string[],
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const argv = [...SYNQ_ARGV, "trace-drops", ...args];
  const [cmd, ...rest] = [...wrapper, ...argv] as [string, ...string[]];
  const r = spawnSync(cmd, rest, {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: process.env.SYNQ_VM_KERNEL !== undefined ? 240_000 : 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A shell line that runs synq: `sh -c "<synq> trace-drops … | head"` style tests. */
export function synqShellCommand(args: string[]): string {
  return [...SYNQ_ARGV, "trace-drops", ...args]
    .map((w) => `'${w.replaceAll("'", `'\\''`)}'`)
    .join(" ");
}

import { SynqError } from "../errors.js";
import { SYSCTLS } from "../kernel/sysctl-catalog.js";
import { type CounterGroups, parseProcNetCounters } from "../parsers/proc-net-counters.js";
import { parseSsListeners, type SsListener } from "../parsers/ss-listeners.js";
import { type SynRecvCount, SynRecvCounter } from "../parsers/ss-syn-recv.js";
import { readFilesInNetns } from "../sources/netns-files.js";
import { readProcFile } from "../sources/proc.js";
import { type NetnsTarget, runTool, streamTool } from "../sources/run-tool.js";

/** `ss` arguments for listeners: TCP, listening, numeric, memory (drops), processes, details. */
export const SS_LISTENER_ARGS = ["-H", "-l", "-t", "-n", "-m", "-p", "-e"];
/** `ss` arguments for SYN queue entries. */
export const SS_SYN_RECV_ARGS = ["-H", "-t", "-n", "state", "syn-recv"];

const COUNTER_FILES = ["net/netstat", "net/snmp"] as const;

/** Raw readings of one namespace at one moment. */
export interface NamespaceSample {
  sysctls: Map<string, number | null>;
  counters: CounterGroups;
  listeners: SsListener[];
  synRecv: SynRecvCount[];
  takenAt: number;
}

function sysctlPath(key: string): string {
  return `sys/${key.replaceAll(".", "/")}`;
}

function toInt(key: string, text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) {
    throw new SynqError(
      "parse",
      `cannot parse /proc/${sysctlPath(key)}: ${JSON.stringify(t)} is not an integer`,
    );
  }
  return Number(t);
}

async function readFiles(target: NetnsTarget, procRoot: string, rels: string[]) {
  if (target.path === null) {
    const texts = await Promise.all(rels.map((r) => readProcFile(procRoot, r)));
    return new Map(rels.map((r, i) => [r, texts[i] ?? null]));
  }
  const got = await readFilesInNetns(
    target,
    rels.map((r) => `/proc/${r}`),
  );
  return new Map(rels.map((r) => [r, got.get(`/proc/${r}`) ?? null]));
}

/** Reads sysctls and the TcpExt/Tcp counters of a namespace. */
export async function readKernelState(target: NetnsTarget, procRoot: string) {
  const rels = [...SYSCTLS.map((s) => sysctlPath(s.key)), ...COUNTER_FILES];
  const files = await readFiles(target, procRoot, rels);
  const sysctls = new Map(SYSCTLS.map((s) => [s.key, toInt(s.key, files.get(sysctlPath(s.key)))]));
  let counters: CounterGroups = {};
  for (const rel of COUNTER_FILES) {
    const text = files.get(rel);
    const label = target.path ? `/proc/${rel} (netns ${target.name})` : `${procRoot}/${rel}`;
    if (text === null || text === undefined) {
      throw new SynqError("systemRead", `${label} does not exist`, "mount procfs on /proc");
    }
    counters = { ...counters, ...parseProcNetCounters(text, label) };
  }
  return { sysctls, counters };
}

/** Lists listeners and counts SYN-RECV entries with `ss`. */
export async function readSockets(target: NetnsTarget) {
  const counter = new SynRecvCounter(`ss ${SS_SYN_RECV_ARGS.join(" ")}`);
  const [listenersText] = await Promise.all([
    runTool(target, "ss", SS_LISTENER_ARGS),
    streamTool(target, "ss", SS_SYN_RECV_ARGS, (chunk) => counter.pushChunk(chunk)),
  ]);
  counter.end();
  const listeners = parseSsListeners(listenersText, `ss ${SS_LISTENER_ARGS.join(" ")}`);
  return { listeners, synRecv: counter.result() };
}

type SocketReading = ReturnType<typeof readSockets>;
const readsAhead = new Map<string | null, SocketReading>();

/**
 * Starts reading a namespace's sockets now, for the next sampleNamespace() of that namespace
 * to take over (see early-start.ts). A failure surfaces there, or nowhere if none comes.
 */
export function readSocketsAhead(target: NetnsTarget): void {
  const reading = readSockets(target);
  reading.catch(() => {});
  readsAhead.set(target.path, reading);
}

function takeReadAhead(target: NetnsTarget): SocketReading | undefined {
  const reading = readsAhead.get(target.path);
  readsAhead.delete(target.path);
  return reading;
}

/** One complete sample of a namespace. */
export async function sampleNamespace(
  target: NetnsTarget,
  procRoot: string,
): Promise<NamespaceSample> {
  const [kernel, sockets] = await Promise.all([
    readKernelState(target, procRoot),
    takeReadAhead(target) ?? readSockets(target),
  ]);
  return { ...kernel, ...sockets, takenAt: Date.now() };
}

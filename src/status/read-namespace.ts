import { SynqError } from "../errors.js";
import { SYSCTLS } from "../kernel/sysctl-catalog.js";
import type { ListenerSocket } from "../parsers/listener-socket.js";
import { type CounterGroups, parseProcNetCounters } from "../parsers/proc-net-counters.js";
import type { SynRecvCount } from "../parsers/ss-syn-recv.js";
import { readFilesInNetns } from "../system/netns-files.js";
import type { NetnsTarget } from "../system/netns-target.js";
import type { OwnerLookup } from "../system/owner-cache.js";
import { readProcFile } from "../system/proc.js";
import { readSockets, takeReadAhead } from "./read-sockets.js";

const COUNTER_FILES = ["net/netstat", "net/snmp"] as const;

/** Raw readings of one namespace at one moment. */
export interface NamespaceSample {
  sysctls: Map<string, number | null>;
  counters: CounterGroups;
  listeners: ListenerSocket[];
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
  const got = readFilesInNetns(
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

/**
 * One complete sample of a namespace. `scanOwners` gives the /proc scan for socket owners
 * (one scan serves every namespace of a sample: the processes are the same); `lookupOwners`,
 * when given, answers instead (a long-running reader's cache).
 */
export async function sampleNamespace(
  target: NetnsTarget,
  procRoot: string,
  scanOwners?: () => Promise<Float64Array>,
  lookupOwners?: OwnerLookup,
): Promise<NamespaceSample> {
  const [kernel, sockets] = await Promise.all([
    readKernelState(target, procRoot),
    takeReadAhead(target) ?? readSockets(target, scanOwners, lookupOwners),
  ]);
  return { ...kernel, ...sockets, takenAt: Date.now() };
}

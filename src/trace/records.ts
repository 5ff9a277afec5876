/**
 * Turning what the BPF side produced into the JSON model (src/model/trace.ts): one drop
 * record per ring-buffer event, and the summary from the exact counter maps. Pure: names
 * and owners are looked up through the functions passed in.
 */

import { TRACE_SCHEMA_VERSION } from "../model/schema-versions.js";
import type {
  ReasonCounts,
  TraceDrop,
  TraceListener,
  TraceNetns,
  TraceSummary,
} from "../model/trace.js";
import type { Reason } from "../model/trace-enums.js";
import { AF_INET, formatPrefix } from "../net/inet.js";
import type { SocketOwner } from "../parsers/listener-socket.js";
import type { PeakEntry } from "./bpf-maps.js";
import {
  type ListenerKey,
  listenerId,
  type RawEvent,
  type RemoteKey,
  reasonValue,
} from "./event-layout.js";

/** Lookups the records need. */
export interface Naming {
  netnsName: (inode: number) => string | null;
  /** The processes holding a socket (the records name each by pid and command). */
  owners: (socketInode: number) => Pick<SocketOwner, "pid" | "command">[];
}

const family = (af: number) => (af === AF_INET ? "inet" : "inet6");

/** A listener's family as status gives it: an IPv6 socket without IPV6_V6ONLY is dual. */
const listenerFamily = (af: number, v6only: boolean) =>
  af === AF_INET ? "inet" : v6only ? "inet6" : "dual";

function netns(inode: number, naming: Naming): TraceNetns {
  return { inode, name: naming.netnsName(inode) };
}

function listener(
  af: number,
  v6only: boolean,
  address: string,
  port: number,
  socketInode: number,
  naming: Naming,
): TraceListener {
  return {
    address,
    port,
    family: listenerFamily(af, v6only),
    socketInode,
    processes: naming.owners(socketInode).map((o) => ({ pid: o.pid, command: o.command })),
  };
}

/** One ring-buffer event as a `drop` record. */
export function dropRecord(e: RawEvent, timeUs: number, naming: Naming): TraceDrop {
  return {
    schemaVersion: TRACE_SCHEMA_VERSION,
    type: "drop",
    timeUs,
    reason: e.reason,
    acceptQueue: e.acceptQueue,
    acceptQueueMax: e.acceptQueueMax,
    synQueue: e.synQueue,
    listener: listener(
      e.listenFamily,
      e.listenV6only,
      e.listenAddress,
      e.listenPort,
      e.sockIno,
      naming,
    ),
    destination: { address: e.dstAddress, port: e.dstPort },
    remote: { address: e.srcAddress, port: e.srcPort },
    family: family(e.pktFamily),
    netns: netns(e.netnsIno, naming),
    syncookies: e.syncookies,
    hook: e.hook,
  };
}

function zeroCounts(reasons: readonly Reason[]): ReasonCounts {
  return Object.fromEntries(reasons.map((r) => [r, 0])) as ReasonCounts;
}

function sumCounts(c: ReasonCounts): number {
  return Object.values(c).reduce((a: number, b) => a + (b ?? 0), 0);
}

function byTotal<T extends { total: number }>(key: (x: T) => string) {
  return (a: T, b: T) => b.total - a.total || key(a).localeCompare(key(b));
}

/**
 * Adds per-reason map entries into one group per `idOf(key)` (made by `create` on first
 * sight), each with its counts by reason and their total.
 */
function countByGroup<
  K extends { reason: Reason },
  G extends { counts: ReasonCounts; total: number },
>(entries: { key: K; count: number }[], idOf: (key: K) => string, create: (key: K) => G): G[] {
  const groups = new Map<string, G>();
  for (const { key, count } of entries) {
    const id = idOf(key);
    let g = groups.get(id);
    if (!g) {
      g = create(key);
      groups.set(id, g);
    }
    g.counts[key.reason] = (g.counts[key.reason] ?? 0) + count;
    g.total = sumCounts(g.counts);
  }
  return [...groups.values()];
}

/** Per-listener totals from the `acceptq_listeners` map. */
export function summarizeListeners(
  entries: { key: ListenerKey; count: number }[],
  reasons: readonly Reason[],
  naming: Naming,
): TraceSummary["listeners"] {
  const groups = countByGroup(entries, listenerId, (key): TraceSummary["listeners"][number] => ({
    listener: listener(key.family, key.v6only, key.address, key.port, key.sockIno, naming),
    netns: netns(key.netnsIno, naming),
    counts: zeroCounts(reasons),
    total: 0,
  }));
  return groups.sort(byTotal((x) => `${x.listener.address}:${x.listener.port}:${x.netns.inode}`));
}

/** Each listener's peak accept-queue depth, deepest first. */
export function summarizePeaks(
  entries: PeakEntry[],
  naming: Naming,
): NonNullable<TraceSummary["peaks"]> {
  const peaks = entries.map((e) => ({
    listener: listener(
      e.key.family,
      e.key.v6only,
      e.key.address,
      e.key.port,
      e.key.sockIno,
      naming,
    ),
    netns: netns(e.key.netnsIno, naming),
    acceptQueuePeak: e.depth,
    acceptQueueMax: e.max,
  }));
  const label = (x: (typeof peaks)[number]) =>
    `${x.listener.address}:${x.listener.port}:${x.netns.inode}`;
  return peaks.sort(
    (a, b) => b.acceptQueuePeak - a.acceptQueuePeak || label(a).localeCompare(label(b)),
  );
}

/** Per-remote-prefix totals from the `acceptq_remotes` map. */
export function summarizeRemotes(
  entries: { key: RemoteKey; count: number }[],
  reasons: readonly Reason[],
  naming: Naming,
): TraceSummary["remotes"] {
  const groups = countByGroup(
    entries,
    (key) => `${key.netnsIno}|${formatPrefix(key.family, key.prefix)}`,
    (key): TraceSummary["remotes"][number] => ({
      prefix: formatPrefix(key.family, key.prefix),
      family: family(key.family),
      netns: netns(key.netnsIno, naming),
      counts: zeroCounts(reasons),
      total: 0,
    }),
  );
  return groups.sort(byTotal((x) => `${x.prefix}:${x.netns.inode}`));
}

/** The per-reason totals of the traced reasons, from the `acceptq_totals` array. */
export function totalsByReason(totals: number[], reasons: readonly Reason[]): ReasonCounts {
  return Object.fromEntries(reasons.map((r) => [r, totals[reasonValue(r)] ?? 0])) as ReasonCounts;
}

/**
 * The byte layouts of bpf/acceptq.h, and pure decoders for them. Offsets are written out as
 * the header's comments give them; test/unit/trace/event-layout.test.ts checks each one
 * against the compiled object's BTF (bpftool), so a change on one side fails the build.
 */
import { HOOKS, type Hook, REASONS, type Reason } from "../model/trace-enums.js";
import { AF_INET, formatAddress } from "../net/inet.js";

/** struct acceptq_event: byte offsets, and its size. */
export const ACCEPTQ_EVENT = {
  ts_ns: 0,
  sock_ino: 8,
  listen_addr: 16,
  dst_addr: 32,
  src_addr: 48,
  netns_ino: 64,
  acceptq_len: 68,
  acceptq_max: 72,
  synq_len: 76,
  listen_port: 80,
  dst_port: 82,
  src_port: 84,
  listen_family: 86,
  pkt_family: 87,
  reason: 88,
  hook: 89,
  syncookies: 90,
  listen_v6only: 91,
  pad: 92,
  size: 96,
} as const;

/** struct acceptq_listener_key. */
export const ACCEPTQ_LISTENER_KEY = {
  sock_ino: 0,
  addr: 8,
  netns_ino: 24,
  port: 28,
  family: 30,
  reason: 31,
  v6only: 32,
  pad: 33,
  size: 40,
} as const;

/** struct acceptq_peak: the value of the peak maps, one per CPU. */
export const ACCEPTQ_PEAK = {
  depth: 0,
  max: 4,
  size: 8,
} as const;

/** struct acceptq_remote_key. */
export const ACCEPTQ_REMOTE_KEY = {
  prefix: 0,
  netns_ino: 8,
  family: 12,
  reason: 13,
  pad: 14,
  size: 16,
} as const;

/** ACCEPTQ_REASON_* value of a reason (1-based). */
export function reasonValue(reason: Reason): number {
  return REASONS.indexOf(reason) + 1;
}

/** `acceptq_totals` slots after the per-reason ones (ACCEPTQ_TOTAL_*). */
export const TOTAL_SLOTS = {
  ringbufLost: 5,
  listenerMapFull: 6,
  remoteMapFull: 7,
  count: 8,
} as const;

/** One ring-buffer record, decoded; addresses as text. */
export interface RawEvent {
  /** bpf_ktime_get_ns(): CLOCK_MONOTONIC nanoseconds. */
  tsNs: bigint;
  sockIno: number;
  listenFamily: number;
  /** IPV6_V6ONLY of an AF_INET6 listener: false for a dual-stack one. */
  listenV6only: boolean;
  listenAddress: string;
  listenPort: number;
  pktFamily: number;
  dstAddress: string;
  dstPort: number;
  srcAddress: string;
  srcPort: number;
  netnsIno: number;
  acceptQueue: number;
  acceptQueueMax: number;
  synQueue: number;
  reason: Reason;
  hook: Hook;
  syncookies: number;
}

function named<T extends readonly string[]>(names: T, value: number, what: string): T[number] {
  const name = names[value - 1];
  if (name === undefined) throw new Error(`unknown ${what} ${value} in a BPF record`);
  return name;
}

function bytes(v: DataView, offset: number, length: number): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset + offset, length);
}

/** Decodes one struct acceptq_event (host byte order: x86 and arm64 are little-endian). */
export function decodeEvent(v: DataView): RawEvent {
  if (v.byteLength < ACCEPTQ_EVENT.size) {
    throw new Error(`BPF record of ${v.byteLength} bytes, expected ${ACCEPTQ_EVENT.size}`);
  }
  const E = ACCEPTQ_EVENT;
  const listenFamily = v.getUint8(E.listen_family);
  const pktFamily = v.getUint8(E.pkt_family);
  return {
    tsNs: v.getBigUint64(E.ts_ns, true),
    sockIno: Number(v.getBigUint64(E.sock_ino, true)),
    listenFamily,
    listenV6only: v.getUint8(E.listen_v6only) !== 0,
    listenAddress: formatAddress(listenFamily, bytes(v, E.listen_addr, 16)),
    listenPort: v.getUint16(E.listen_port, true),
    pktFamily,
    dstAddress: formatAddress(pktFamily, bytes(v, E.dst_addr, 16)),
    dstPort: v.getUint16(E.dst_port, true),
    srcAddress: formatAddress(pktFamily, bytes(v, E.src_addr, 16)),
    srcPort: v.getUint16(E.src_port, true),
    netnsIno: v.getUint32(E.netns_ino, true),
    acceptQueue: v.getUint32(E.acceptq_len, true),
    acceptQueueMax: v.getUint32(E.acceptq_max, true),
    synQueue: v.getUint32(E.synq_len, true),
    reason: named(REASONS, v.getUint8(E.reason), "reason"),
    hook: named(HOOKS, v.getUint8(E.hook), "hook"),
    syncookies: v.getUint8(E.syncookies),
  };
}

/** A listener as the BPF maps key it: the peak maps' key, decoded (reason 0). */
export interface ListenerIdentity {
  sockIno: number;
  family: number;
  v6only: boolean;
  address: string;
  port: number;
  netnsIno: number;
}

/**
 * One listener as a string, the same for its counter keys (whatever the reason) and its peak
 * key: for grouping, and for joining peaks with anything else keyed by listener.
 */
export function listenerId(key: ListenerIdentity): string {
  return `${key.netnsIno}|${key.sockIno}|${key.family}|${key.v6only}|${key.address}|${key.port}`;
}

/** A per-listener counter key, decoded. */
export interface ListenerKey extends ListenerIdentity {
  reason: Reason;
}

/** One counter key (a listener and a reason) as a string. */
export function listenerKeyId(key: ListenerKey): string {
  return `${listenerId(key)}|${key.reason}`;
}

/** Decodes the listener of a struct acceptq_listener_key, whatever its reason. */
export function decodeListenerIdentity(v: DataView): ListenerIdentity {
  const K = ACCEPTQ_LISTENER_KEY;
  const family = v.getUint8(K.family);
  return {
    sockIno: Number(v.getBigUint64(K.sock_ino, true)),
    family,
    v6only: v.getUint8(K.v6only) !== 0,
    address: formatAddress(family, bytes(v, K.addr, 16)),
    port: v.getUint16(K.port, true),
    netnsIno: v.getUint32(K.netns_ino, true),
  };
}

/** Decodes struct acceptq_listener_key of a counter map (a reason is required). */
export function decodeListenerKey(v: DataView): ListenerKey {
  return {
    ...decodeListenerIdentity(v),
    reason: named(REASONS, v.getUint8(ACCEPTQ_LISTENER_KEY.reason), "reason"),
  };
}

/** One CPU's struct acceptq_peak. */
export interface CpuPeak {
  depth: number;
  max: number;
}

/**
 * The peak over every CPU of a per-CPU struct acceptq_peak value as bpf_map_lookup_elem()
 * returns it (one 8-byte slot per possible CPU): the largest depth, with the max that CPU saw
 * with it. Null when every CPU holds 0 (a slot of a CPU that never saw the listener).
 */
export function maxOverCpus(v: DataView, cpus: number): CpuPeak | null {
  const P = ACCEPTQ_PEAK;
  if (v.byteLength < cpus * P.size) {
    throw new Error(`per-CPU peak of ${v.byteLength} bytes, expected ${cpus * P.size}`);
  }
  let best: CpuPeak | null = null;
  for (let cpu = 0; cpu < cpus; cpu++) {
    const at = cpu * P.size;
    const depth = v.getUint32(at + P.depth, true);
    if (depth > (best?.depth ?? 0)) best = { depth, max: v.getUint32(at + P.max, true) };
  }
  return best;
}

/** A per-remote-prefix counter key, decoded. */
export interface RemoteKey {
  family: number;
  /** The /24 or /64 bytes (3 or 8 used). */
  prefix: Uint8Array;
  netnsIno: number;
  reason: Reason;
}

/** Decodes struct acceptq_remote_key. */
export function decodeRemoteKey(v: DataView): RemoteKey {
  const K = ACCEPTQ_REMOTE_KEY;
  const family = v.getUint8(K.family);
  return {
    family,
    prefix: bytes(v, K.prefix, family === AF_INET ? 3 : 8).slice(),
    netnsIno: v.getUint32(K.netns_ino, true),
    reason: named(REASONS, v.getUint8(K.reason), "reason"),
  };
}

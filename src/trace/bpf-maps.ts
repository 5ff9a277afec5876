/**
 * Reading the tracer's maps: the `acceptq_totals` array and the two hash maps keyed by
 * listener and by remote prefix (u64 counts, exact: the BPF side adds atomically and never
 * drops an increment without counting it in a *_FULL slot), and the per-CPU peak maps.
 */
import {
  bpfMapDeleteElem,
  bpfMapLookupElem,
  bpfMapUpdateElem,
  libbpf,
  libbpfError,
} from "../ffi/libbpf.js";
import { Errno } from "../system/errno.js";
import {
  ACCEPTQ_LISTENER_KEY,
  ACCEPTQ_PEAK,
  decodeListenerIdentity,
  type ListenerIdentity,
  maxOverCpus,
  TOTAL_SLOTS,
} from "./event-layout.js";

function u64(value: Uint8Array): number {
  return Number(new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true));
}

/** Every slot of the totals array (index = ACCEPTQ_REASON_* or ACCEPTQ_TOTAL_*). */
export function readTotals(fd: number): number[] {
  const totals: number[] = [];
  const key = new Uint8Array(4);
  const view = new DataView(key.buffer);
  for (let i = 0; i < TOTAL_SLOTS.count; i++) {
    view.setUint32(0, i, true);
    const v = bpfMapLookupElem(fd, key, 8);
    totals.push(v ? u64(v) : 0);
  }
  return totals;
}

/** Every (key, count) of a hash map with u64 values (bpf_map_get_next_key walk). */
export function readHashCounts(fd: number, keySize: number): { key: DataView; count: number }[] {
  const entries: { key: DataView; count: number }[] = [];
  let prev: Uint8Array | null = null;
  for (;;) {
    const next = new Uint8Array(keySize);
    if (libbpf().bpf_map_get_next_key(fd, prev, next) !== 0) break;
    const v = bpfMapLookupElem(fd, next, 8);
    if (v) entries.push({ key: new DataView(next.buffer), count: u64(v) });
    prev = next;
  }
  return entries;
}

/**
 * Deletes the entries of a hash map whose key `doomed` picks; returns how many. Deleted after
 * the walk: deleting the key get_next_key stands on restarts the walk.
 */
export function deleteHashKeys(
  fd: number,
  keySize: number,
  doomed: (key: DataView) => boolean,
): number {
  const keys: Uint8Array[] = [];
  let prev: Uint8Array | null = null;
  for (;;) {
    const next = new Uint8Array(keySize);
    if (libbpf().bpf_map_get_next_key(fd, prev, next) !== 0) break;
    if (doomed(new DataView(next.buffer))) keys.push(next);
    prev = next;
  }
  for (const k of keys) bpfMapDeleteElem(fd, k);
  return keys.length;
}

/** A listener's peak accept-queue depth as the peak maps hold it, over every CPU. */
export interface PeakEntry {
  key: ListenerIdentity;
  /** The largest sk_ack_backlog seen on an inspected SYN or ACK. */
  depth: number;
  /** sk_max_ack_backlog when that depth was seen. */
  max: number;
}

/** Every listener of one peak map with a non-zero peak on some CPU; `empty` deletes them. */
function readPeakMap(fd: number, cpus: number, empty: boolean): PeakEntry[] {
  const entries: PeakEntry[] = [];
  const keys: Uint8Array[] = [];
  let prev: Uint8Array | null = null;
  for (;;) {
    const next = new Uint8Array(ACCEPTQ_LISTENER_KEY.size);
    if (libbpf().bpf_map_get_next_key(fd, prev, next) !== 0) break;
    keys.push(next);
    const v = bpfMapLookupElem(fd, next, ACCEPTQ_PEAK.size * cpus);
    const peak = v && maxOverCpus(new DataView(v.buffer), cpus);
    if (peak) entries.push({ key: decodeListenerIdentity(new DataView(next.buffer)), ...peak });
    prev = next;
  }
  // Deleted after the walk: deleting the key get_next_key stands on restarts the walk.
  if (empty) for (const k of keys) bpfMapDeleteElem(fd, k);
  return entries;
}

/**
 * The two generations of peak maps (`acceptq_peaks_a`, `acceptq_peaks_b`) and the map-in-map
 * (`acceptq_peaks`) whose one slot names the generation the programs write; the object
 * starts with `a` there.
 */
export class PeakGenerations {
  private writing = 0;
  private readonly key = new Uint8Array(4);

  constructor(
    private readonly selectorFd: number,
    private readonly generationFds: readonly [number, number],
    private readonly cpus: number,
  ) {}

  /**
   * The peaks since the last reset. With `reset`, the other generation is installed first:
   * the kernel returns from that update only after an RCU grace period, when no program can
   * still be writing the old one, which is then read and emptied, so nothing is lost
   * between the read and the reset. The update blocks for that grace period (milliseconds).
   */
  read(reset: boolean): PeakEntry[] {
    const current = this.generationFds[this.writing] as number;
    if (!reset) return readPeakMap(current, this.cpus, false);
    const next = 1 - this.writing;
    const fd = new Uint8Array(4);
    new DataView(fd.buffer).setUint32(0, this.generationFds[next] as number, true);
    bpfMapUpdateElem(this.selectorFd, this.key, fd);
    this.writing = next;
    return readPeakMap(current, this.cpus, true);
  }
}

/** libbpf_num_possible_cpus(): the CPUs a per-CPU map value has a slot for. */
export function possibleCpus(): number {
  const n = libbpf().libbpf_num_possible_cpus();
  if (n <= 0) throw libbpfError("counting the possible CPUs", n < 0 ? n : -Errno.EINVAL);
  return n;
}

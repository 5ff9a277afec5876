/**
 * Reading the tracer's counter maps: the `acceptq_totals` array and the two hash maps keyed
 * by listener and by remote prefix. Values are u64 counts, exact (the BPF side adds
 * atomically and never drops an increment without counting it in a *_FULL slot).
 */
import { bpfMapLookupElem, libbpf } from "../ffi/libbpf.js";
import { TOTAL_SLOTS } from "./event-layout.js";

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

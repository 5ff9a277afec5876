/**
 * A BPF ring buffer consumed from Node: ring_buffer__new() with a koffi-registered sample
 * callback, drained with ring_buffer__consume(), which never blocks. The caller drives it
 * from a timer (the producers submit without wakeups), so the event loop is never held for
 * longer than one drain.
 */
import { type BpfPointer, ffi, libbpf, libbpfError } from "./libbpf.js";

/** A ring buffer map being consumed; `close()` is idempotent. */
export class RingBuffer {
  private rb: BpfPointer | null;
  private callback: unknown;
  private failure: unknown = null;

  /** `onSample` gets a view of each record, valid only during the call. */
  constructor(mapFd: number, onSample: (record: DataView) => void) {
    const k = ffi();
    this.callback = k.register((_ctx: unknown, data: unknown, size: number | bigint) => {
      // An exception must not cross the C frames of ring_buffer__consume: keep it, stop.
      try {
        onSample(new DataView(k.view(data, Number(size))));
        return 0;
      } catch (err) {
        this.failure ??= err;
        return -1;
      }
    }, k.pointer("synq_ring_buffer_sample_fn"));
    const rb = libbpf().ring_buffer__new(mapFd, this.callback, null, null);
    const err = libbpf().libbpf_get_error(rb);
    if (!rb || err) {
      k.unregister(this.callback as Parameters<typeof k.unregister>[0]);
      this.callback = null;
      throw libbpfError("creating the ring buffer consumer", err || -k.errno());
    }
    this.rb = rb;
  }

  /** Processes every record available now; returns how many, or throws. */
  consume(): number {
    if (this.rb === null) return 0;
    const n = libbpf().ring_buffer__consume(this.rb);
    if (this.failure !== null) {
      const err = this.failure;
      this.failure = null;
      throw err;
    }
    if (n < 0) throw libbpfError("reading the ring buffer", n);
    return n;
  }

  /** ring_buffer__free() and the callback's release; safe to call twice. */
  close(): void {
    if (this.rb !== null) {
      const rb = this.rb;
      this.rb = null;
      libbpf().ring_buffer__free(rb);
    }
    if (this.callback !== null) {
      const k = ffi();
      k.unregister(this.callback as Parameters<typeof k.unregister>[0]);
      this.callback = null;
    }
  }
}

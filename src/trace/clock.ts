/**
 * Wall-clock time for BPF timestamps. bpf_ktime_get_ns() is CLOCK_MONOTONIC, which is what
 * process.hrtime reads on Linux; one pairing of both clocks at start-up converts the rest.
 */

/** Converts CLOCK_MONOTONIC nanoseconds to microseconds since the Unix epoch. */
export interface WallClock {
  toEpochMicros(monotonicNs: bigint): number;
}

/** A converter anchored now: wall µs = epoch now + (t − monotonic now). */
export function wallClock(
  epochMicrosNow: number = Math.round((performance.timeOrigin + performance.now()) * 1000),
  monotonicNsNow: bigint = process.hrtime.bigint(),
): WallClock {
  return {
    toEpochMicros: (t) => epochMicrosNow + Number((t - monotonicNsNow) / 1000n),
  };
}

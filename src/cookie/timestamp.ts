/**
 * The TCP-timestamp cookie (net/ipv4/syncookies.c: cookie_init_timestamp,
 * cookie_timestamp_decode). When a cookie SYN-ACK carries a timestamp, the low TSBITS bits
 * of its TSval hold the options of the SYN that the sequence cookie has no room for:
 *
 *    31                                                    6    5     4    3       0
 *   ┌───────────────────────────────────────────────────────┬─────┬──────┬─────────┐
 *   │ timestamp (ms clock, rounded down to a multiple of 64)│ ECN │ SACK │ WScale  │
 *   └───────────────────────────────────────────────────────┴─────┴──────┴─────────┘
 *
 * WScale 0xF (an invalid shift) means the SYN had no window-scale option.
 * On the wire TSval = ts + ts_off. With net.ipv4.tcp_timestamps = 1 (the default)
 * ts_off is a secret per-host-pair offset (secure_tcp_ts_off), so the bits are readable
 * only with tcp_timestamps = 2 (ts_off = 0) or a known offset.
 */

/** Low 4 bits: the SYN's window scale, or 0xF for none. */
export const TS_OPT_WSCALE_MASK = 0xf;
/** Bit 4: the SYN offered SACK. */
export const TS_OPT_SACK = 1 << 4;
/** Bit 5: the SYN asked for ECN (and the listener accepted it). */
export const TS_OPT_ECN = 1 << 5;
/** Number of option bits at the bottom of the timestamp. */
export const TSBITS = 6;

/** The SYN options a timestamp cookie carries. */
export interface TimestampOptions {
  /** Window-scale shift 0..14 from the SYN, or null when the SYN had no such option. */
  wscale: number | null;
  sack: boolean;
  ecn: boolean;
}

/** The 6 option bits for a SYN's options (the `options` of cookie_init_timestamp). */
export function timestampOptionBits(o: TimestampOptions): number {
  let options = o.wscale === null ? TS_OPT_WSCALE_MASK : o.wscale & TS_OPT_WSCALE_MASK;
  if (o.sack) options |= TS_OPT_SACK;
  if (o.ecn) options |= TS_OPT_ECN;
  return options;
}

/**
 * `cookie_init_timestamp(req, now)` on the ms clock value `tsNow` (u32): clear the low
 * TSBITS, put the options there, and step back 64 ms if that went past `tsNow` (the
 * timestamp must not run ahead of the clock). Returns ts, before ts_off is added.
 */
export function cookieInitTimestamp(tsNow: number, o: TimestampOptions): number {
  const now = tsNow >>> 0;
  let ts = ((now >>> TSBITS) << TSBITS) >>> 0;
  ts = (ts | timestampOptionBits(o)) >>> 0;
  if (ts > now) ts = (ts - (1 << TSBITS)) >>> 0;
  return ts;
}

/** What cookie_timestamp_decode reads from an echoed timestamp (before sysctl checks). */
export interface TimestampDecode extends TimestampOptions {
  /** ts = TSval − ts_off. */
  ts: number;
  /** ts & 0x3f. */
  options: number;
  /** options & TS_OPT_WSCALE_MASK, 0xF included. */
  wscaleRaw: number;
  /** ts >> TSBITS: the clock part, in units of 64 ms. */
  timeBits: number;
}

/** Decodes a cookie SYN-ACK's TSval (or the ACK's TSecr) given the offset to remove. */
export function cookieTimestampDecode(tsval: number, tsOff = 0): TimestampDecode {
  const ts = (tsval - tsOff) >>> 0;
  const options = ts & ((1 << TSBITS) - 1);
  const wscaleRaw = options & TS_OPT_WSCALE_MASK;
  return {
    ts,
    options,
    wscaleRaw,
    wscale: wscaleRaw === TS_OPT_WSCALE_MASK ? null : wscaleRaw,
    sack: (options & TS_OPT_SACK) !== 0,
    ecn: (options & TS_OPT_ECN) !== 0,
    timeBits: ts >>> TSBITS,
  };
}

/**
 * Linux SYN cookies (the sequence number of a cookie SYN-ACK), IPv4 and IPv6, computed the
 * way net/ipv4/syncookies.c and net/ipv6/syncookies.c do since 4.11 (SipHash-2-4).
 *
 * What the kernel sends (`secure_tcp_syn_cookie`), all arithmetic mod 2^32:
 *
 *   cookie = H0 + ISN + (count << COOKIEBITS) + ((H1(count) + mssind) & COOKIEMASK)
 *
 *   H0        = cookie_hash(saddr, daddr, sport, dport, 0, 0)      key syncookie_secret[0]
 *   H1(count) = cookie_hash(saddr, daddr, sport, dport, count, 1)  key syncookie_secret[1]
 *   ISN       = the client's initial sequence number (the SYN's seq)
 *   count     = tcp_cookie_time(): jiffies_64 / (60 * HZ), the minute counter
 *   mssind    = index of the SYN's MSS in msstab (0..3)
 *
 * Unlike the classic layout, no bit of the cookie can be read off directly: H0 + ISN is
 * added to all 32 bits. Only after subtracting H0 + ISN (which needs the secret) does
 * the layout appear:
 *
 *    31            24 23                                               0
 *   ┌────────────────┬──────────────────────────────────────────────────┐
 *   │ count mod 256  │ (H1(count) + mssind) mod 2^24                    │
 *   └────────────────┴──────────────────────────────────────────────────┘
 *
 * `check_tcp_syn_cookie` takes the counter's low 8 bits from the top, accepts it when it is
 * at most MAX_SYNCOOKIE_AGE − 1 = 1 minute behind the current counter (a cookie lives
 * 60–120 s), then subtracts H1 of that counter: what is left must be 0..3.
 */
import type { CookieTuple } from "./endpoint.js";
import { msstab } from "./mss-table.js";
import type { HostEndian, SyncookieSecret } from "./secret.js";
import { siphash, siphash4u32 } from "./siphash.js";

/** Upper bits store count (net/ipv4/syncookies.c). */
export const COOKIEBITS = 24;
/** Low 24 bits: hash plus MSS index. */
export const COOKIEMASK = (1 << COOKIEBITS) - 1;
/** A cookie is accepted while the counter moved by less than this (include/net/tcp.h). */
export const MAX_SYNCOOKIE_AGE = 2;

/** A 16-bit value as the host reads a big-endian (network order) field from memory. */
function be16AsHost(port: number, endian: HostEndian): number {
  return endian === "little" ? ((port & 0xff) << 8) | (port >> 8) : port;
}

/** Four network-order bytes as the host reads them as a u32 (`(__force u32)saddr`). */
function be32AsHost(bytes: Uint8Array, endian: HostEndian): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, endian === "little");
}

/**
 * `cookie_hash(saddr, daddr, sport, dport, count, c)`: the low 32 bits of SipHash-2-4 under
 * `secret[c]`.
 * IPv4 (net/ipv4/syncookies.c): siphash_4u32(saddr, daddr, sport << 16 | dport, count).
 * IPv6 (net/ipv6/syncookies.c): siphash over the 40-byte struct
 *   { in6_addr saddr; in6_addr daddr; u32 count; __be16 sport; __be16 dport; }.
 * saddr/sport are the client's (the SYN's source), daddr/dport the listener's.
 */
export function cookieHash(
  tuple: CookieTuple,
  count: number,
  c: 0 | 1,
  secret: SyncookieSecret,
  endian: HostEndian = "little",
): number {
  const key = secret[c];
  const { client, server } = tuple;
  let h: bigint;
  if (tuple.family === "ipv4") {
    const ports = ((be16AsHost(client.port, endian) << 16) | be16AsHost(server.port, endian)) >>> 0;
    h = siphash4u32(
      be32AsHost(client.bytes, endian),
      be32AsHost(server.bytes, endian),
      ports,
      count >>> 0,
      key,
    );
  } else {
    const combined = new Uint8Array(40);
    const view = new DataView(combined.buffer);
    combined.set(client.bytes, 0);
    combined.set(server.bytes, 16);
    view.setUint32(32, count >>> 0, endian === "little");
    view.setUint16(36, client.port, false);
    view.setUint16(38, server.port, false);
    h = siphash(combined, key);
  }
  return Number(h & 0xffffffffn);
}

/** Where a cookie's parts come from; everything `secure_tcp_syn_cookie` needs. */
export interface LinuxCookieInput {
  tuple: CookieTuple;
  /** The client's ISN (`sseq`): the SYN's seq, or the final ACK's seq − 1. */
  isn: number;
  secret: SyncookieSecret;
  endian?: HostEndian;
}

/** `secure_tcp_syn_cookie(saddr, daddr, sport, dport, sseq, data)` at minute counter `count`. */
export function secureTcpSynCookie(input: LinuxCookieInput, count: number, mssind: number): number {
  const { tuple, isn, secret, endian = "little" } = input;
  const h0 = cookieHash(tuple, 0, 0, secret, endian);
  const h1 = cookieHash(tuple, count, 1, secret, endian);
  return (h0 + isn + ((count & 0xff) << COOKIEBITS) + ((h1 + mssind) & COOKIEMASK)) >>> 0;
}

/**
 * `check_tcp_syn_cookie(cookie, saddr, daddr, sport, dport, sseq)` with the current counter
 * `count`: the MSS index (0..3 for a valid cookie), or 0xffffffff when too old. Any other
 * value means a forged or mistyped cookie.
 */
export function checkTcpSynCookie(input: LinuxCookieInput, cookie: number, count: number): number {
  return decodeLinuxCookie(input, cookie, count).data;
}

/** Every intermediate value of check_tcp_syn_cookie, for display. */
export interface LinuxCookieDecode {
  /** cookie_hash(…, 0, 0). */
  h0: number;
  /** cookie − (H0 + ISN): count mod 256 on top, (H1 + mssind) mod 2^24 below. */
  stripped: number;
  /** stripped >> COOKIEBITS: the low 8 bits of the counter the cookie was made at. */
  countLow8: number;
  /** (count − countLow8) & 0xff: minutes since issue, modulo 256. */
  diff: number;
  /** count − diff when diff < MAX_SYNCOOKIE_AGE, else null (too old). */
  issuedAtCount: number | null;
  /** cookie_hash(…, issuedAtCount, 1), null when too old. */
  h1: number | null;
  /** What check_tcp_syn_cookie returns: (stripped − H1) & COOKIEMASK, or 0xffffffff. */
  data: number;
  /** data when it is a valid msstab index, else null. */
  mssIndex: number | null;
  /** msstab[mssIndex] (what `__cookie_v4_check` returns), null when invalid. */
  mss: number | null;
  valid: boolean;
}

/** Runs check_tcp_syn_cookie step by step and keeps every intermediate value. */
export function decodeLinuxCookie(
  input: LinuxCookieInput,
  cookie: number,
  count: number,
): LinuxCookieDecode {
  const { tuple, isn, secret, endian = "little" } = input;
  const h0 = cookieHash(tuple, 0, 0, secret, endian);
  const stripped = (cookie - (h0 + isn)) >>> 0;
  const countLow8 = stripped >>> COOKIEBITS;
  const diff = (count - countLow8) & (0xffffffff >>> COOKIEBITS);
  if (diff >= MAX_SYNCOOKIE_AGE) {
    return {
      h0,
      stripped,
      countLow8,
      diff,
      issuedAtCount: null,
      h1: null,
      data: 0xffffffff,
      mssIndex: null,
      mss: null,
      valid: false,
    };
  }
  const issuedAtCount = (count - diff) >>> 0;
  const h1 = cookieHash(tuple, issuedAtCount, 1, secret, endian);
  const data = (stripped - h1) & COOKIEMASK;
  const tab = msstab[tuple.family];
  const valid = data < tab.length;
  return {
    h0,
    stripped,
    countLow8,
    diff,
    issuedAtCount,
    h1,
    data,
    mssIndex: valid ? data : null,
    mss: valid ? (tab[data] as number) : null,
    valid,
  };
}

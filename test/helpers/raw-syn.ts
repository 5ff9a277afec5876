import { isIPv4, isIPv6 } from "node:net";
import koffi from "koffi";
import { sockaddr, v4Bytes, v6Bytes } from "./inet-bytes.js";

/**
 * Sends hand-made TCP SYNs through a raw socket (libc through koffi), from addresses that
 * are not this host's. With a blackhole route for the source range the SYN-ACKs go nowhere,
 * so each SYN leaves a request socket in SYN-RECV (or is dropped, counted by the kernel)
 * without needing netfilter modules: this works the same on any kernel under test.
 */

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_RAW = 3;
const IPPROTO_RAW = 255;
const IPPROTO_TCP = 6;

const libc = koffi.load("libc.so.6");
const socket = libc.func("int socket(int, int, int)");
const sendto = libc.func(
  "long sendto(int, const void *buf, size_t, int, const void *addr, uint32_t)",
);
const close = libc.func("int close(int)");

function checksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i += 2)
      sum += (p[i] as number) * 256 + (i + 1 < p.length ? (p[i + 1] as number) : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** TCP options a SYN offers. */
export interface SynOptions {
  mss?: number;
  wscale?: number | null;
  sackPermitted?: boolean;
  timestamp?: number | null;
  ecn?: boolean;
}

function tcpHeader(sport: number, dport: number, seq: number, o: SynOptions): Buffer {
  const opts: number[] = [];
  opts.push(2, 4, ((o.mss ?? 1460) >> 8) & 0xff, (o.mss ?? 1460) & 0xff);
  if (o.sackPermitted) opts.push(4, 2);
  if (o.timestamp !== undefined && o.timestamp !== null) {
    const ts = Buffer.alloc(10);
    ts.writeUInt8(8, 0);
    ts.writeUInt8(10, 1);
    ts.writeUInt32BE(o.timestamp >>> 0, 2);
    opts.push(...ts);
  }
  if (o.wscale !== undefined && o.wscale !== null) opts.push(3, 3, o.wscale);
  while (opts.length % 4) opts.push(1);
  const h = Buffer.alloc(20 + opts.length);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt8(((20 + opts.length) / 4) << 4, 12);
  // SYN, plus ECE|CWR when asking for ECN (RFC 3168).
  h.writeUInt8(o.ecn ? 0xc2 : 0x02, 13);
  h.writeUInt16BE(65535, 14);
  Buffer.from(opts).copy(h, 20);
  return h;
}

/** Builds one SYN packet (IP header included) from `src` to `dst`. */
export function buildSyn(
  src: string,
  sport: number,
  dst: string,
  dport: number,
  seq: number,
  options: SynOptions = {},
): Buffer {
  const tcp = tcpHeader(sport, dport, seq, options);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(tcp.length);
  if (isIPv4(src)) {
    const s = v4Bytes(src);
    const d = v4Bytes(dst);
    tcp.writeUInt16BE(checksum(s, d, Buffer.from([0, IPPROTO_TCP]), len, tcp), 16);
    const ip = Buffer.alloc(20);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(20 + tcp.length, 2);
    ip.writeUInt8(64, 8);
    ip.writeUInt8(IPPROTO_TCP, 9);
    s.copy(ip, 12);
    d.copy(ip, 16);
    ip.writeUInt16BE(checksum(ip), 10);
    return Buffer.concat([ip, tcp]);
  }
  const s = v6Bytes(src);
  const d = v6Bytes(dst);
  const len32 = Buffer.alloc(4);
  len32.writeUInt32BE(tcp.length);
  tcp.writeUInt16BE(checksum(s, d, len32, Buffer.from([0, 0, 0, IPPROTO_TCP]), tcp), 16);
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(tcp.length, 4);
  ip.writeUInt8(IPPROTO_TCP, 6);
  ip.writeUInt8(64, 7);
  s.copy(ip, 8);
  d.copy(ip, 24);
  return Buffer.concat([ip, tcp]);
}

/** Sends packets built by buildSyn to `dst` through one raw socket (needs CAP_NET_RAW). */
export function sendRaw(dst: string, packets: Buffer[]): void {
  const v4 = isIPv4(dst);
  if (!v4 && !isIPv6(dst)) throw new Error(`not an IP address: ${dst}`);
  const fd = socket(v4 ? AF_INET : AF_INET6, SOCK_RAW, IPPROTO_RAW) as number;
  if (fd < 0) throw new Error("raw socket refused (needs root / CAP_NET_RAW)");
  try {
    const addr = sockaddr(dst, 0);
    for (const p of packets) {
      const n = sendto(fd, p, p.length, 0, addr, addr.length) as number;
      if (n !== p.length) throw new Error(`sendto to ${dst} failed (${n})`);
    }
  } finally {
    close(fd);
  }
}

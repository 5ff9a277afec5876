/**
 * Ethernet frames for the kernel oracle (bpf/syncookie.bpf.c): a client's SYN, or the
 * client's final ACK of a cookie handshake. Only the fields the cookie helpers read
 * matter (addresses, ports, seq, ack_seq, flags, data offset, the MSS option); checksums
 * are filled in anyway so the frames are well-formed in a capture.
 *
 *   Ethernet (14) | IPv4 (20, no options) or IPv6 (40, no extension headers) | TCP
 *   TCP = 20 bytes, plus a 4-byte MSS option (kind 2, len 4) when an MSS is given.
 */
import type { CookieTuple } from "./endpoint.js";

const ETH_HLEN = 14;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;

/** TCP header flag bits (byte 13). */
export const TCP_FLAG = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  ECE: 0x40,
  CWR: 0x80,
};

/** What goes into the TCP header. */
export interface TcpSegmentSpec {
  seq: number;
  ack: number;
  flags: number;
  /** MSS option value, or null for no option at all. */
  mss: number | null;
}

function checksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += ((bytes[i] as number) << 8) | (i + 1 < bytes.length ? (bytes[i + 1] as number) : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function tcpSegment(tuple: CookieTuple, spec: TcpSegmentSpec): Uint8Array {
  const len = spec.mss === null ? 20 : 24;
  const tcp = new Uint8Array(len);
  const v = new DataView(tcp.buffer);
  v.setUint16(0, tuple.client.port);
  v.setUint16(2, tuple.server.port);
  v.setUint32(4, spec.seq >>> 0);
  v.setUint32(8, spec.ack >>> 0);
  tcp[12] = (len / 4) << 4;
  tcp[13] = spec.flags;
  v.setUint16(14, 64240);
  if (spec.mss !== null) {
    tcp[20] = 2;
    tcp[21] = 4;
    v.setUint16(22, spec.mss);
  }
  return tcp;
}

/** One client → server frame carrying `spec`. */
export function clientFrame(tuple: CookieTuple, spec: TcpSegmentSpec): Uint8Array {
  const tcp = tcpSegment(tuple, spec);
  const v4 = tuple.family === "ipv4";
  const ipLen = v4 ? 20 : 40;
  const frame = new Uint8Array(ETH_HLEN + ipLen + tcp.length);
  const v = new DataView(frame.buffer);
  v.setUint16(12, v4 ? ETH_P_IP : ETH_P_IPV6);
  const ip = frame.subarray(ETH_HLEN, ETH_HLEN + ipLen);
  const ipv = new DataView(ip.buffer, ip.byteOffset, ipLen);
  // Pseudo-header sum for the TCP checksum: addresses, protocol, TCP length.
  const pseudo = new Uint8Array((v4 ? 8 : 32) + 4);
  pseudo.set(tuple.client.bytes, 0);
  pseudo.set(tuple.server.bytes, v4 ? 4 : 16);
  const pv = new DataView(pseudo.buffer);
  if (v4) {
    ip[0] = 0x45;
    ipv.setUint16(2, ipLen + tcp.length);
    ipv.setUint16(6, 0x4000); // DF
    ip[8] = 64;
    ip[9] = IPPROTO_TCP;
    ip.set(tuple.client.bytes, 12);
    ip.set(tuple.server.bytes, 16);
    ipv.setUint16(10, checksum(ip));
    pv.setUint16(8, IPPROTO_TCP);
    pv.setUint16(10, tcp.length);
  } else {
    ipv.setUint32(0, 0x60000000);
    ipv.setUint16(4, tcp.length);
    ip[6] = IPPROTO_TCP;
    ip[7] = 64;
    ip.set(tuple.client.bytes, 8);
    ip.set(tuple.server.bytes, 24);
    pv.setUint16(32, tcp.length);
    pv.setUint16(34, IPPROTO_TCP);
  }
  const joined = new Uint8Array(pseudo.length + tcp.length);
  joined.set(pseudo, 0);
  joined.set(tcp, pseudo.length);
  new DataView(tcp.buffer).setUint16(16, checksum(joined));
  frame.set(tcp, ETH_HLEN + ipLen);
  return frame;
}

/** The client's SYN: seq = ISN, with an MSS option unless `mss` is null. */
export function synFrame(tuple: CookieTuple, isn: number, mss: number | null): Uint8Array {
  return clientFrame(tuple, { seq: isn, ack: 0, flags: TCP_FLAG.SYN, mss });
}

/** The client's final ACK: seq = ISN + 1, ack_seq = cookie + 1 (what __cookie_v4_check reads). */
export function ackFrame(tuple: CookieTuple, isn: number, cookie: number): Uint8Array {
  return clientFrame(tuple, {
    seq: (isn + 1) >>> 0,
    ack: (cookie + 1) >>> 0,
    flags: TCP_FLAG.ACK,
    mss: null,
  });
}

import { describe, expect, it } from "vitest";
import { makeCookieTuple, parseCookieEndpoint } from "../../../src/cookie/endpoint.js";
import { ackFrame, synFrame, TCP_FLAG } from "../../../src/cookie/oracle-packet.js";

const v4 = makeCookieTuple(
  parseCookieEndpoint("10.0.0.1:40000", "c"),
  parseCookieEndpoint("10.0.0.2:80", "s"),
);
const v6 = makeCookieTuple(
  parseCookieEndpoint("[2001:db8::1]:40000", "c"),
  parseCookieEndpoint("[2001:db8::2]:443", "s"),
);

/** RFC 1071 sum, written independently of the code under test. */
function onesSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] ?? 0) * 256 + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum >> 16) + (sum & 0xffff);
  return sum;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

describe("oracle frames", () => {
  it("IPv4 SYN: Ethernet | IPv4 (ihl 5) | TCP with one MSS option, valid checksums", () => {
    const f = synFrame(v4, 0x11223344, 1460);
    const v = new DataView(f.buffer);
    expect(f.length).toBe(14 + 20 + 24);
    expect(v.getUint16(12)).toBe(0x0800);
    const ip = f.subarray(14, 34);
    expect(ip[0]).toBe(0x45);
    expect(ip[9]).toBe(6);
    expect(Array.from(ip.subarray(12, 20))).toEqual([10, 0, 0, 1, 10, 0, 0, 2]);
    expect(onesSum(ip)).toBe(0xffff);
    const tcp = f.subarray(34);
    const tv = new DataView(tcp.buffer, tcp.byteOffset);
    expect([tv.getUint16(0), tv.getUint16(2), tv.getUint32(4), tv.getUint32(8)]).toEqual([
      40000, 80, 0x11223344, 0,
    ]);
    expect(tcp[12]).toBe(6 << 4);
    expect(tcp[13]).toBe(TCP_FLAG.SYN);
    expect(Array.from(tcp.subarray(20, 24))).toEqual([2, 4, 0x05, 0xb4]);
    const pseudo = concat(ip.subarray(12, 20), Uint8Array.from([0, 6, 0, tcp.length]));
    expect(onesSum(concat(pseudo, tcp))).toBe(0xffff);
  });

  it("IPv6 ACK: seq = ISN + 1, ack = cookie + 1 (with wraparound), no options", () => {
    const f = ackFrame(v6, 0xffffffff, 0xffffffff);
    const v = new DataView(f.buffer);
    expect(f.length).toBe(14 + 40 + 20);
    expect(v.getUint16(12)).toBe(0x86dd);
    expect(v.getUint32(14)).toBe(0x60000000);
    expect(v.getUint16(18)).toBe(20);
    expect(f[20]).toBe(6);
    const tcp = f.subarray(54);
    const tv = new DataView(tcp.buffer, tcp.byteOffset);
    expect(tv.getUint32(4)).toBe(0);
    expect(tv.getUint32(8)).toBe(0);
    expect(tcp[12]).toBe(5 << 4);
    expect(tcp[13]).toBe(TCP_FLAG.ACK);
    const pseudo = concat(f.subarray(22, 54), Uint8Array.from([0, 0, 0, 20, 0, 0, 0, 6]));
    expect(onesSum(concat(pseudo, tcp))).toBe(0xffff);
  });

  it("a SYN without --mss has no options (the kernel then assumes its default MSS)", () => {
    expect(synFrame(v4, 1, null)).toHaveLength(14 + 20 + 20);
  });
});

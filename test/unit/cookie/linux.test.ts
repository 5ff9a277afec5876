import { describe, expect, it } from "vitest";
import { makeCookieTuple, parseCookieEndpoint } from "../../../src/cookie/endpoint.js";
import {
  COOKIEBITS,
  COOKIEMASK,
  checkTcpSynCookie,
  cookieHash,
  decodeLinuxCookie,
  MAX_SYNCOOKIE_AGE,
  secureTcpSynCookie,
} from "../../../src/cookie/linux.js";
import { mssIndexFor, msstab } from "../../../src/cookie/mss-table.js";
import { parseSecret } from "../../../src/cookie/secret.js";
import { siphash, siphash4u32 } from "../../../src/cookie/siphash.js";

// The secret of KERNEL-FACTS §1's worked example: secret[0] = key bytes 00..0f,
// secret[1] = the same with its two u64 halves swapped, in --secret format (memory order).
const SECRET_HEX = "000102030405060708090a0b0c0d0e0f08090a0b0c0d0e0f0001020304050607";
const secret = parseSecret(SECRET_HEX);

const tuple4 = makeCookieTuple(
  parseCookieEndpoint("10.0.0.1:40000", "--client"),
  parseCookieEndpoint("10.0.0.2:80", "--server"),
);
const tuple6 = makeCookieTuple(
  parseCookieEndpoint("[2001:db8::1]:40000", "--client"),
  parseCookieEndpoint("[2001:db8::2]:443", "--server"),
);
const ISN = 0x11223344;

describe("constants (net/ipv4/syncookies.c, include/net/tcp.h)", () => {
  it("keeps the kernel's values", () => {
    expect(COOKIEBITS).toBe(24);
    expect(COOKIEMASK).toBe(0xffffff);
    expect(MAX_SYNCOOKIE_AGE).toBe(2);
    expect(msstab.ipv4).toEqual([536, 1300, 1440, 1460]);
    expect(msstab.ipv6).toEqual([1220, 1420, 1440, 8940]);
  });

  it("picks the MSS index like __cookie_v4_init_sequence (largest entry <= mss, else 0)", () => {
    expect(mssIndexFor("ipv4", 100)).toBe(0);
    expect(mssIndexFor("ipv4", 1299)).toBe(0);
    expect(mssIndexFor("ipv4", 1300)).toBe(1);
    expect(mssIndexFor("ipv4", 1452)).toBe(2);
    expect(mssIndexFor("ipv4", 1460)).toBe(3);
    expect(mssIndexFor("ipv4", 65535)).toBe(3);
    expect(mssIndexFor("ipv6", 1219)).toBe(0);
    expect(mssIndexFor("ipv6", 1440)).toBe(2);
    expect(mssIndexFor("ipv6", 8960)).toBe(3);
  });
});

describe("IPv4 worked example (KERNEL-FACTS §1), recomputed step by step", () => {
  // Expected values: KERNEL-FACTS §1 (H0 0xa99254ae, H1 0x416f9f3e, cookie 0xa3242733), which
  // were also reproduced with an independent Python SipHash written from the SipHash paper's
  // pseudo-code (not from this code), hashing the bytes below.
  it("hashes client IP ‖ server IP ‖ dport ‖ sport ‖ count (x86 byte order)", () => {
    // Step 1: the 16 bytes siphash_4u32 sees on a little-endian host.
    // saddr 10.0.0.1 and daddr 10.0.0.2 in wire order; (sport << 16 | dport) of the raw
    // big-endian port fields stored as LE32 gives dport's wire bytes then sport's.
    const h0Bytes = Uint8Array.from([10, 0, 0, 1, 10, 0, 0, 2, 0x00, 0x50, 0x9c, 0x40, 0, 0, 0, 0]);
    const h1Bytes = Uint8Array.from([
      10, 0, 0, 1, 10, 0, 0, 2, 0x00, 0x50, 0x9c, 0x40, 0xe8, 0x03, 0, 0,
    ]);
    const h0 = Number(siphash(h0Bytes, secret[0]) & 0xffffffffn);
    const h1 = Number(siphash(h1Bytes, secret[1]) & 0xffffffffn);
    expect(h0).toBe(0xa99254ae);
    expect(h1).toBe(0x416f9f3e);
    // Step 2: the same through cookie_hash().
    expect(cookieHash(tuple4, 0, 0, secret)).toBe(0xa99254ae);
    expect(cookieHash(tuple4, 1000, 1, secret)).toBe(0x416f9f3e);
    // And through siphash_4u32 with the host-order words the kernel passes.
    const saddr = 0x0100000a; // (__force u32) of bytes 0a 00 00 01 on x86
    const daddr = 0x0200000a;
    const ports = ((0x409c << 16) | 0x5000) >>> 0; // htons(40000) << 16 | htons(80)
    expect(Number(siphash4u32(saddr, daddr, ports, 0, secret[0]) & 0xffffffffn)).toBe(0xa99254ae);
  });

  it("builds the cookie: H0 + ISN + (count << 24) + ((H1 + mssind) & COOKIEMASK)", () => {
    // Step 3 by hand: 0xa99254ae + 0x11223344 = 0xbab487f2; count 1000 = 0x3e8, so
    // count << 24 mod 2^32 = 0xe8000000; H1 + 3 = 0x416f9f41, & 0xffffff = 0x6f9f41.
    // 0xbab487f2 + 0xe8000000 + 0x6f9f41 = 0x1a3242733 -> mod 2^32 = 0xa3242733.
    expect((0xa99254ae + ISN) >>> 0).toBe(0xbab487f2);
    expect((0xbab487f2 + 0xe8000000 + 0x6f9f41) >>> 0).toBe(0xa3242733);
    expect(secureTcpSynCookie({ tuple: tuple4, isn: ISN, secret }, 1000, 3)).toBe(0xa3242733);
  });

  it("decodes to MSS index 3 at count and count + 1, rejects it at count + 2", () => {
    const input = { tuple: tuple4, isn: ISN, secret };
    const now = decodeLinuxCookie(input, 0xa3242733, 1000);
    expect(now).toMatchObject({
      h0: 0xa99254ae,
      stripped: 0xe86f9f41, // 0xa3242733 − 0xbab487f2
      countLow8: 0xe8, // 1000 & 0xff
      diff: 0,
      issuedAtCount: 1000,
      h1: 0x416f9f3e,
      data: 3,
      mssIndex: 3,
      mss: 1460,
      valid: true,
    });
    expect(checkTcpSynCookie(input, 0xa3242733, 1001)).toBe(3);
    expect(decodeLinuxCookie(input, 0xa3242733, 1001)).toMatchObject({
      diff: 1,
      issuedAtCount: 1000,
    });
    expect(checkTcpSynCookie(input, 0xa3242733, 1002)).toBe(0xffffffff);
    expect(decodeLinuxCookie(input, 0xa3242733, 1002).valid).toBe(false);
    // From the future (count − 1): diff = 255, too old in the kernel's arithmetic.
    expect(decodeLinuxCookie(input, 0xa3242733, 999)).toMatchObject({ diff: 255, valid: false });
  });

  it("rejects the cookie for another ISN, port or secret", () => {
    expect(checkTcpSynCookie({ tuple: tuple4, isn: ISN + 0x1000, secret }, 0xa3242733, 1000)).toBe(
      (3 - 0x1000) & COOKIEMASK,
    );
    // The ISN is simply added, so an ISN off by one shifts the data by one: the kernel would
    // read MSS index 2 (1440) instead of 3. Only the MSS is at stake, never the hash check.
    expect(checkTcpSynCookie({ tuple: tuple4, isn: ISN + 1, secret }, 0xa3242733, 1000)).toBe(2);
    const other = makeCookieTuple(tuple4.client, parseCookieEndpoint("10.0.0.2:81", "s"));
    expect(decodeLinuxCookie({ tuple: other, isn: ISN, secret }, 0xa3242733, 1000).valid).toBe(
      false,
    );
    const swapped = [secret[1], secret[0]] as const;
    expect(
      decodeLinuxCookie({ tuple: tuple4, isn: ISN, secret: swapped }, 0xa3242733, 1000).valid,
    ).toBe(false);
  });
});

describe("IPv6 hand-checked vector", () => {
  // Expected values from the independent Python SipHash (see above) over the 40-byte struct
  // of net/ipv6/syncookies.c:cookie_hash, written out byte by byte:
  //   saddr 2001:0db8::1 (16) ‖ daddr 2001:0db8::2 (16) ‖ count as LE32 ‖ sport BE16 ‖ dport BE16
  //   H0 (count 0, secret[0]) = 0x0ff3661e, H1 (count 1000, secret[1]) = 0x504ba282,
  //   cookie(ISN 0x11223344, count 1000, mssind 2) = 0x0ff3661e + 0x11223344 + 0xe8000000
  //     + ((0x504ba282 + 2) & 0xffffff) = 0x09613be6 (mod 2^32).
  it("hashes the 40-byte struct", () => {
    const combined = new Uint8Array(40);
    combined.set([0x20, 0x01, 0x0d, 0xb8], 0);
    combined[15] = 1;
    combined.set([0x20, 0x01, 0x0d, 0xb8], 16);
    combined[31] = 2;
    combined.set([0xe8, 0x03, 0, 0], 32);
    combined.set([0x9c, 0x40, 0x01, 0xbb], 36);
    expect(Number(siphash(combined, secret[1]) & 0xffffffffn)).toBe(0x504ba282);
    expect(cookieHash(tuple6, 0, 0, secret)).toBe(0x0ff3661e);
    expect(cookieHash(tuple6, 1000, 1, secret)).toBe(0x504ba282);
  });

  it("builds and decodes the cookie with the IPv6 msstab", () => {
    const input = { tuple: tuple6, isn: ISN, secret };
    expect(secureTcpSynCookie(input, 1000, 2)).toBe(0x09613be6);
    expect(decodeLinuxCookie(input, 0x09613be6, 1000)).toMatchObject({ mssIndex: 2, mss: 1440 });
    expect(decodeLinuxCookie(input, 0x09613be7, 1000)).toMatchObject({ mssIndex: 3, mss: 8940 });
  });
});

describe("big-endian hosts", () => {
  // Same inputs hashed as a big-endian kernel would (host-order u32 of the wire fields, and
  // keys read as big-endian u64 from the same memory bytes); independent Python: 0xa2ec4c28.
  it("gives a different, still self-consistent cookie", () => {
    const be = parseSecret(SECRET_HEX, "big");
    const input = { tuple: tuple4, isn: ISN, secret: be, endian: "big" as const };
    expect(secureTcpSynCookie(input, 1000, 3)).toBe(0xa2ec4c28);
    expect(decodeLinuxCookie(input, 0xa2ec4c28, 1000).mssIndex).toBe(3);
  });
});

describe("round trips: every MSS index, a range of counters, both families", () => {
  const counters = [0, 1, 2, 0xfe, 0xff, 0x100, 286326, 286327, 1_000_000, 0xfffffffe, 0xffffffff];
  const isns = [0, 1, 0x7fffffff, 0xffffffff, 0xdeadbeef];
  for (const [name, tuple] of [
    ["ipv4", tuple4],
    ["ipv6", tuple6],
  ] as const) {
    it(`${name}: secure_tcp_syn_cookie then check_tcp_syn_cookie returns the index`, () => {
      for (const isn of isns) {
        const input = { tuple, isn, secret };
        for (const count of counters) {
          for (let mssind = 0; mssind < 4; mssind++) {
            const cookie = secureTcpSynCookie(input, count, mssind);
            const here = decodeLinuxCookie(input, cookie, count);
            expect(here.mssIndex).toBe(mssind);
            expect(here.mss).toBe(msstab[name][mssind]);
            expect(here.issuedAtCount).toBe(count);
            // Still valid one minute later (counter + 1, with u32 wraparound)...
            expect(checkTcpSynCookie(input, cookie, (count + 1) >>> 0)).toBe(mssind);
            // ...and rejected two minutes later.
            expect(checkTcpSynCookie(input, cookie, (count + 2) >>> 0)).toBe(0xffffffff);
          }
        }
      }
    });
  }

  it("a tampered cookie is rejected in almost every bit position", () => {
    const input = { tuple: tuple4, isn: ISN, secret };
    const cookie = secureTcpSynCookie(input, 5000, 1);
    let rejected = 0;
    for (let bit = 0; bit < 32; bit++) {
      if (!decodeLinuxCookie(input, (cookie ^ (1 << bit)) >>> 0, 5000).valid) rejected++;
    }
    // Flipping bit 0 or 1 can land on another valid index (data 0..3): at most those pass.
    expect(rejected).toBeGreaterThanOrEqual(30);
  });
});

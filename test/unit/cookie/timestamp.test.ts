import { describe, expect, it } from "vitest";
import {
  cookieInitTimestamp,
  cookieTimestampDecode,
  type TimestampOptions,
  TS_OPT_ECN,
  TS_OPT_SACK,
  TS_OPT_WSCALE_MASK,
  TSBITS,
  timestampOptionBits,
} from "../../../src/cookie/timestamp.js";

// Every option combination a SYN can offer: window scale 0..14 or none (0xF), SACK, ECN.
const combos: TimestampOptions[] = [];
for (const wscale of [null, ...Array.from({ length: 15 }, (_, i) => i)]) {
  for (const sack of [false, true]) {
    for (const ecn of [false, true]) combos.push({ wscale, sack, ecn });
  }
}

describe("timestamp cookie layout (cookie_init_timestamp / cookie_timestamp_decode)", () => {
  it("keeps the kernel's constants", () => {
    expect(TS_OPT_WSCALE_MASK).toBe(0xf);
    expect(TS_OPT_SACK).toBe(0x10);
    expect(TS_OPT_ECN).toBe(0x20);
    expect(TSBITS).toBe(6);
    expect(combos).toHaveLength(64);
  });

  it("puts wscale in bits 0-3 (0xF = none), SACK in bit 4, ECN in bit 5", () => {
    expect(timestampOptionBits({ wscale: 7, sack: true, ecn: false })).toBe(0b010111);
    expect(timestampOptionBits({ wscale: null, sack: false, ecn: false })).toBe(0xf);
    expect(timestampOptionBits({ wscale: 0, sack: false, ecn: true })).toBe(0b100000);
    expect(timestampOptionBits({ wscale: 14, sack: true, ecn: true })).toBe(0b111110);
  });

  // ts_now values around the 64 ms steps and the u32 wrap.
  const clocks = [64, 1000, 1_000_063, 0x12345678, 0xffffffc0, 0xffffffff];

  it.each(combos.map((c) => [c.wscale ?? "none", c.sack, c.ecn, c] as const))(
    "wscale %s, SACK %s, ECN %s: encode then decode gives the options back",
    (_w, _s, _e, combo) => {
      for (const now of clocks) {
        const ts = cookieInitTimestamp(now, combo);
        // Never ahead of the clock, and at most 127 ms behind it.
        expect(ts).toBeLessThanOrEqual(now);
        expect(now - ts).toBeLessThan(128);
        const d = cookieTimestampDecode(ts);
        expect({ wscale: d.wscale, sack: d.sack, ecn: d.ecn }).toEqual(combo);
        expect(d.options).toBe(timestampOptionBits(combo));
        // On the wire with an offset (tcp_timestamps=1): decoding with the offset works,
        expect(cookieTimestampDecode((ts + 0x9e3779b9) >>> 0, 0x9e3779b9).options).toBe(d.options);
      }
    },
  );

  it("steps back 64 ms when the options would run ahead of the clock", () => {
    // now = 1000 = 0b1111101000: low 6 bits 0b101000 (40). Options 0x2f (47) > 40, so
    // ts = 960 | 47 = 1007 > 1000 -> 1007 − 64 = 943.
    expect(cookieInitTimestamp(1000, { wscale: null, sack: false, ecn: true })).toBe(943);
    // Options 0x07 (7) <= 40: ts = 960 | 7 = 967, no step back.
    expect(cookieInitTimestamp(1000, { wscale: 7, sack: false, ecn: false })).toBe(967);
  });

  it("decodes a raw TSval into every part", () => {
    // 0xa20850a7: low 6 bits 0b100111 = ECN, no SACK, wscale 7; clock 0xa20850a7 >> 6.
    expect(cookieTimestampDecode(0xa20850a7)).toEqual({
      ts: 0xa20850a7,
      options: 0x27,
      wscaleRaw: 7,
      wscale: 7,
      sack: false,
      ecn: true,
      timeBits: 0xa20850a7 >>> 6,
    });
    expect(cookieTimestampDecode(0x0000006f)).toMatchObject({
      wscale: null,
      wscaleRaw: 15,
      sack: false,
      ecn: true,
    });
  });
});

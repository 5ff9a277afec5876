import { describe, expect, it } from "vitest";
import { decodeClassic, encodeClassic } from "../../../src/cookie/classic.js";

describe("classic layout: t mod 32 | MSS index (3 bits) | 24-bit hash", () => {
  it("slices the bits", () => {
    // 0xa3242733 = 1010 0011 0010 0100 ...: top 5 bits 10100 = 20, next 3 bits 011 = 3.
    expect(decodeClassic(0xa3242733)).toEqual({ tMod32: 20, mssIndex: 3, hash: 0x242733 });
    expect(decodeClassic(0)).toEqual({ tMod32: 0, mssIndex: 0, hash: 0 });
    expect(decodeClassic(0xffffffff)).toEqual({ tMod32: 31, mssIndex: 7, hash: 0xffffff });
  });

  it("round-trips every field value", () => {
    for (let t = 0; t < 32; t++) {
      for (let m = 0; m < 8; m++) {
        for (const hash of [0, 1, 0x800000, 0xffffff]) {
          const c = { tMod32: t, mssIndex: m, hash };
          expect(decodeClassic(encodeClassic(c))).toEqual(c);
        }
      }
    }
  });
});

/**
 * The classic SYN-cookie layout (D. J. Bernstein and Eric Schenk, 1996; the one most
 * write-ups draw). Pure bit slicing: every field is readable from the number itself.
 *
 *    31          27 26    24 23                                            0
 *   ┌──────────────┬────────┬───────────────────────────────────────────────┐
 *   │   t mod 32   │  MSS   │ s = secret function of (addresses, ports, t)  │
 *   └──────────────┴────────┴───────────────────────────────────────────────┘
 *
 * Linux has never used it as such: its counter and MSS index are folded under keyed
 * hashes (see linux.ts), so these slices of a Linux cookie are noise.
 */

/** The three slices of a 32-bit value read as a classic cookie. */
export interface ClassicCookie {
  /** Bits 31–27: a 64-second counter modulo 32. */
  tMod32: number;
  /** Bits 26–24: index into the server's 8-entry MSS table. */
  mssIndex: number;
  /** Bits 23–0: the 24-bit keyed hash. */
  hash: number;
}

/** Slices a 32-bit value into the classic fields. */
export function decodeClassic(cookie: number): ClassicCookie {
  const v = cookie >>> 0;
  return { tMod32: v >>> 27, mssIndex: (v >>> 24) & 0x7, hash: v & 0xffffff };
}

/** Packs the classic fields back into 32 bits (for tests and round trips). */
export function encodeClassic(c: ClassicCookie): number {
  return (((c.tMod32 & 0x1f) << 27) | ((c.mssIndex & 0x7) << 24) | (c.hash & 0xffffff)) >>> 0;
}

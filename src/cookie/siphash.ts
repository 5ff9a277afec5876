/**
 * SipHash-2-4 as the kernel computes it (lib/siphash.c, include/linux/siphash.h), on BigInt.
 *
 * A key is two u64 words, `key[0]` (k0) and `key[1]` (k1), exactly like the kernel's
 * `siphash_key_t { u64 key[2]; }`. Messages are read as little-endian 64-bit words, the
 * last partial word padded with zeros and topped with `len << 56` (the PREAMBLE/POSTAMBLE
 * macros). Checked against the reference vectors of lib/siphash_kunit.c.
 */

const MASK64 = (1n << 64n) - 1n;

/** The kernel's `siphash_key_t`: `key[0]` = k0, `key[1]` = k1. */
export interface SipHashKey {
  readonly key: readonly [bigint, bigint];
}

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK64;
}

/** One state of the four SipHash lanes. */
type Lanes = [bigint, bigint, bigint, bigint];

/** SIPHASH_PERMUTATION (include/linux/siphash.h): one SipRound. */
function sipRound(v: Lanes): void {
  let [v0, v1, v2, v3] = v;
  v0 = (v0 + v1) & MASK64;
  v1 = rotl(v1, 13n);
  v1 ^= v0;
  v0 = rotl(v0, 32n);
  v2 = (v2 + v3) & MASK64;
  v3 = rotl(v3, 16n);
  v3 ^= v2;
  v0 = (v0 + v3) & MASK64;
  v3 = rotl(v3, 21n);
  v3 ^= v0;
  v2 = (v2 + v1) & MASK64;
  v1 = rotl(v1, 17n);
  v1 ^= v2;
  v2 = rotl(v2, 32n);
  v[0] = v0;
  v[1] = v1;
  v[2] = v2;
  v[3] = v3;
}

/** SipHash-2-4 of `data` under `key` (the kernel's `siphash(data, len, key)`), a u64. */
export function siphash(data: Uint8Array, key: SipHashKey): bigint {
  const [k0, k1] = key.key;
  // PREAMBLE(len): the "somepseudorandomlygeneratedbytes" constants xored with the key.
  const v: Lanes = [
    0x736f6d6570736575n ^ k0,
    0x646f72616e646f6dn ^ k1,
    0x6c7967656e657261n ^ k0,
    0x7465646279746573n ^ k1,
  ];
  const len = data.length;
  const whole = len - (len % 8);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let off = 0; off < whole; off += 8) {
    const m = view.getBigUint64(off, true);
    v[3] ^= m;
    sipRound(v);
    sipRound(v);
    v[0] ^= m;
  }
  // The tail bytes, little-endian, with the length in the top byte.
  let b = (BigInt(len) << 56n) & MASK64;
  for (let i = len - 1; i >= whole; i--) {
    b |= BigInt(data[i] as number) << BigInt(8 * (i - whole));
  }
  // POSTAMBLE
  v[3] ^= b;
  sipRound(v);
  sipRound(v);
  v[0] ^= b;
  v[2] ^= 0xffn;
  sipRound(v);
  sipRound(v);
  sipRound(v);
  sipRound(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/**
 * `siphash_4u32(a, b, c, d, key)`: the kernel hashes `(u64)b << 32 | a` and `(u64)d << 32 | c`
 * with siphash_2u64, which is SipHash over the 16 bytes LE32(a)‖LE32(b)‖LE32(c)‖LE32(d).
 */
export function siphash4u32(a: number, b: number, c: number, d: number, key: SipHashKey): bigint {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, a >>> 0, true);
  view.setUint32(4, b >>> 0, true);
  view.setUint32(8, c >>> 0, true);
  view.setUint32(12, d >>> 0, true);
  return siphash(bytes, key);
}

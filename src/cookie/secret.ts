import { SynqError } from "../errors.js";
import type { SipHashKey } from "./siphash.js";

/**
 * Byte order of the host that issued the cookie. The kernel feeds raw big-endian header
 * fields to SipHash as host integers, and keeps the key as host u64 words, so the same
 * secret and tuple give different cookies on little- and big-endian machines.
 */
export type HostEndian = "little" | "big";

/** `syncookie_secret[2]` (IPv4) or `syncookie6_secret[2]` (IPv6): two SipHash keys. */
export type SyncookieSecret = readonly [SipHashKey, SipHashKey];

/** Length of the secret in bytes: two `siphash_key_t` of 16 bytes each. */
export const SECRET_BYTES = 32;

/**
 * Parses `--secret`: the 32 bytes of `syncookie_secret[2]` (or `syncookie6_secret[2]`) as they
 * sit in kernel memory, written as 64 hex digits: secret[0].key[0], secret[0].key[1],
 * secret[1].key[0], secret[1].key[1], each 8 bytes in memory order (what a hex dump of
 * /proc/kcore shows). Separators (space, `:`, `-`, `_`) and a leading `0x` are ignored.
 * Each u64 is read in the issuing host's byte order (little-endian on x86 and arm64).
 */
export function parseSecret(text: string, endian: HostEndian = "little"): SyncookieSecret {
  const digits = text
    .trim()
    .replace(/^0x/i, "")
    .replace(/[\s:_-]/g, "");
  if (!/^[0-9a-f]*$/i.test(digits)) {
    throw new SynqError(
      "badInput",
      "--secret contains characters that are not hex digits",
      "give the 32 secret bytes as 64 hex digits (secret[0] then secret[1], memory order)",
    );
  }
  if (digits.length !== 2 * SECRET_BYTES) {
    throw new SynqError(
      "badInput",
      `--secret has ${digits.length} hex digits, not 64`,
      "give the 32 secret bytes as 64 hex digits (secret[0] then secret[1], memory order)",
    );
  }
  const bytes = Uint8Array.from(digits.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  return secretFromBytes(bytes, endian);
}

/** Builds the two keys from the 32 in-memory bytes, reading each u64 in host order. */
export function secretFromBytes(bytes: Uint8Array, endian: HostEndian = "little"): SyncookieSecret {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = endian === "little";
  const word = (i: number) => view.getBigUint64(8 * i, le);
  return [{ key: [word(0), word(1)] }, { key: [word(2), word(3)] }];
}

/** The 64 hex digits of a secret, in the `--secret` format (inverse of parseSecret). */
export function formatSecret(secret: SyncookieSecret, endian: HostEndian = "little"): string {
  const bytes = new Uint8Array(SECRET_BYTES);
  const view = new DataView(bytes.buffer);
  const le = endian === "little";
  secret.forEach((k, i) => {
    view.setBigUint64(16 * i, k.key[0], le);
    view.setBigUint64(16 * i + 8, k.key[1], le);
  });
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

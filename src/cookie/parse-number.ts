import { SynqError } from "../errors.js";

/**
 * Parses an unsigned integer written in decimal (`2737055539`) or 0x-hex (`0xa3242733`),
 * as tcpdump (`-S`) and Wireshark print sequence numbers, and checks it is at most `max`.
 * `what` names the input in the one-line error (e.g. `sequence number`, `--isn`).
 */
export function parseUnsigned(text: string, what: string, max: number): number {
  const t = text.trim();
  const range = max === 0xffffffff ? "a u32, 0 to 4294967295" : `0 to ${max}`;
  const fail = (why: string) =>
    new SynqError(
      "badInput",
      `${what} ${JSON.stringify(text)} ${why}`,
      `give ${range}, in decimal or 0x-hex`,
    );
  if (t.startsWith("-")) throw fail("is negative");
  let value: bigint;
  if (/^0x[0-9a-f]+$/i.test(t)) value = BigInt(t);
  else if (/^\d+$/.test(t)) value = BigInt(t);
  else throw fail("is not a number");
  if (value > BigInt(max)) throw fail(`is larger than ${max}`);
  return Number(value);
}

/** A u32 such as a sequence number, TSval or minute counter. */
export function parseU32(text: string, what: string): number {
  return parseUnsigned(text, what, 0xffffffff);
}

/** `0x`-prefixed, zero-padded 8-digit hex of a u32 (the form used in JSON and tables). */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

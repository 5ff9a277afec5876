/**
 * The values of every command's number flags, parsed one strict way: decimal digits only (no
 * `1e3`, `0x10`, `Infinity` or empty text, which Number() would take), bounds checked, and one
 * wording for the one-line error, naming the flag and what it takes.
 */
import { SynqError } from "../errors.js";

/** A TCP port from user text (1–65535). */
export function parsePort(text: string, flag = "--port"): number {
  if (!/^\d{1,5}$/.test(text.trim()) || Number(text) < 1 || Number(text) > 65535) {
    throw new SynqError(
      "badInput",
      `${flag} ${JSON.stringify(text)} is not a port`,
      "give a number from 1 to 65535",
    );
  }
  return Number(text);
}

/** A positive duration in seconds from user text (decimals allowed, at most `maxSeconds`). */
export function parseSeconds(text: string, flag: string, maxSeconds = 86400): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0) || n > maxSeconds) {
    throw new SynqError(
      "badInput",
      `${flag} ${JSON.stringify(text)} is not a duration`,
      `give seconds, e.g. 5 or 0.5, at most ${maxSeconds}`,
    );
  }
  return n;
}

/** A whole number from user text within [min, max]; `what` says what the flag takes. */
export function parseWholeNumber(
  text: string,
  flag: string,
  bounds: { min: number; max: number; what: string },
): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < bounds.min || n > bounds.max) {
    throw new SynqError("badInput", `${flag} ${JSON.stringify(text)} is not ${bounds.what}`);
  }
  return n;
}

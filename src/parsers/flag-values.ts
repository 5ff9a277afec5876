import { SynqError } from "../errors.js";

/** A TCP port from user text (1–65535). */
export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text.trim()) || Number(text) < 1 || Number(text) > 65535) {
    throw new SynqError(
      "badInput",
      `--port ${JSON.stringify(text)} is not a port`,
      "give a number from 1 to 65535",
    );
  }
  return Number(text);
}

/** A positive duration in seconds from user text (decimals allowed, at most a day). */
export function parseSeconds(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0) || n > 86400) {
    throw new SynqError(
      "badInput",
      `${flag} ${JSON.stringify(text)} is not a duration`,
      "give seconds, e.g. 5 or 0.5",
    );
  }
  return n;
}

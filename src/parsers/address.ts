import { RepeatedText } from "./repeated-text.js";

/** An endpoint as `ss -n` prints it, split into its parts. */
export interface Endpoint {
  /** Address without brackets or interface: `0.0.0.0`, `::`, `::ffff:10.0.0.1`, or `*`. */
  address: string;
  port: number;
  /** SO_BINDTODEVICE interface (`0.0.0.0%lo:53`), if any. */
  device: string | null;
  family: "inet" | "inet6" | "any";
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or null. */
export function unmapV4(address: string): string | null {
  // Most addresses are IPv4 or short IPv6: no regex for what cannot match.
  if (address.length < 14 || address.charCodeAt(0) !== 58) return null;
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? (m[1] as string) : null;
}

/** IPv4 addresses as read: most listeners and requests of a host share a handful of them. */
const v4Addresses = new RepeatedText();

/** The value of the decimal digits (1 to `maxDigits` of them) exactly spanning `text[from, to)`, or -1. */
export function decimalIn(text: string, from: number, to: number, maxDigits = Infinity): number {
  if (to <= from || to - from > maxDigits) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** Whether `text[from, to)` is four dot-separated groups of 1 to 3 digits. */
function isDottedQuad(text: string, from: number, to: number): boolean {
  let groupStart = from;
  for (let group = 0; group < 4; group++) {
    let i = groupStart;
    while (i < to && text.charCodeAt(i) !== 46) i++;
    if (decimalIn(text, groupStart, i, 3) < 0) return false;
    if (group < 3 !== i < to) return false;
    groupStart = i + 1;
  }
  return true;
}

/**
 * Parses `ss -n` endpoint text: `1.2.3.4:80`, `[::1]:80`, `*:80`, `0.0.0.0%lo:53`,
 * `[fe80::1]%eth0:22`. Returns null when the text is not an endpoint.
 */
export function parseEndpoint(text: string): Endpoint | null {
  return parseEndpointIn(text, 0, text.length);
}

/**
 * parseEndpoint() of `text[from, to)`, for parsers that read 100,000s of lines: index
 * arithmetic on the line itself, no regular expressions and no substring but the address.
 */
export function parseEndpointIn(text: string, from: number, to: number): Endpoint | null {
  const colon = text.lastIndexOf(":", to - 1);
  if (colon <= from) return null;
  const port = decimalIn(text, colon + 1, to, 5);
  if (port < 0 || port > 65535) return null;
  let hostEnd = colon;
  let device: string | null = null;
  const percent = text.lastIndexOf("%", colon - 1);
  if (percent > from && percent > text.lastIndexOf("]", colon - 1)) {
    device = text.slice(percent + 1, colon);
    hostEnd = percent;
  }
  const first = text.charCodeAt(from);
  if (first === 42 && hostEnd === from + 1) return { address: "*", port, device, family: "any" };
  if (first === 91) {
    if (hostEnd < from + 2 || text.charCodeAt(hostEnd - 1) !== 93) return null;
    const inner = text.slice(from + 1, hostEnd - 1);
    if (!inner.includes(":")) return null;
    return { address: inner.toLowerCase(), port, device, family: "inet6" };
  }
  if (!isDottedQuad(text, from, hostEnd)) return null;
  return { address: v4Addresses.slice(text, from, hostEnd), port, device, family: "inet" };
}

/** Formats an endpoint back the way `ss` does (`[v6]:port`, `v4:port`, `*:port`). */
export function formatEndpoint(e: Pick<Endpoint, "address" | "port" | "family">): string {
  return e.family === "inet6" ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

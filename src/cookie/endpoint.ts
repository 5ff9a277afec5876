import { isIPv4, isIPv6 } from "node:net";
import { SynqError } from "../errors.js";
import { formatV6 } from "../net/inet.js";

/** Address family of a cookie: which syncookies.c (and which msstab) applies. */
export type Family = "ipv4" | "ipv6";

/** One side of the connection: address bytes in wire (network) order, port as a number. */
export interface CookieEndpoint {
  family: Family;
  /** Canonical text: dotted quad, or the compressed IPv6 form. */
  address: string;
  /** 4 or 16 bytes, network order, as they sit in the IP header. */
  bytes: Uint8Array;
  port: number;
}

/** The 4-tuple the kernel hashes: client = SYN sender (saddr/sport), server = listener. */
export interface CookieTuple {
  family: Family;
  client: CookieEndpoint;
  server: CookieEndpoint;
}

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split(".").map(Number));
}

function ipv6Bytes(text: string): Uint8Array {
  let head = text;
  let v4Tail: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    v4Tail = ipv4Bytes(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = "", right] = head.split("::");
  const leftGroups = left === "" ? [] : left.split(":");
  const rightGroups = right === undefined || right === "" ? [] : right.split(":");
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups =
    right === undefined
      ? leftGroups
      : [...leftGroups, ...Array<string>(missing).fill("0"), ...rightGroups];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  if (v4Tail) out.set(v4Tail, 12);
  return out;
}

/**
 * Parses `10.0.0.1:40000` or `[2001:db8::1]:443` (the form ss and tcpdump users copy).
 * An IPv4-mapped IPv6 address (`[::ffff:10.0.0.1]:80`, as ss shows dual-stack sockets) is
 * taken as IPv4: such connections arrive as IPv4 packets and get IPv4 cookies.
 */
export function parseCookieEndpoint(text: string, flag: string): CookieEndpoint {
  const bad = (why: string) =>
    new SynqError(
      "badInput",
      `${flag} ${JSON.stringify(text)} is not an address:port (${why})`,
      `write it as 10.0.0.1:40000 or [2001:db8::1]:443`,
    );
  const trimmed = text.trim();
  let host: string;
  let portText: string;
  if (trimmed.startsWith("[")) {
    const close = trimmed.indexOf("]");
    if (close < 0 || trimmed[close + 1] !== ":") throw bad("expected [ipv6]:port");
    host = trimmed.slice(1, close);
    portText = trimmed.slice(close + 2);
  } else {
    const colon = trimmed.lastIndexOf(":");
    if (colon <= 0) throw bad("no port");
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
    if (host.includes(":")) throw bad("put an IPv6 address in brackets");
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw bad("the port must be 0-65535");
  }
  const port = Number(portText);
  if (isIPv4(host)) return { family: "ipv4", address: host, bytes: ipv4Bytes(host), port };
  if (isIPv6(host) && !host.includes("%")) {
    const bytes = ipv6Bytes(host);
    const mapped = bytes.slice(0, 12).every((b, i) => b === (i >= 10 ? 0xff : 0));
    if (mapped) {
      const v4 = bytes.slice(12);
      return { family: "ipv4", address: Array.from(v4).join("."), bytes: v4, port };
    }
    return { family: "ipv6", address: formatV6(bytes), bytes, port };
  }
  throw bad("unknown address");
}

/** Builds the tuple, refusing a client and server of different families. */
export function makeCookieTuple(client: CookieEndpoint, server: CookieEndpoint): CookieTuple {
  if (client.family !== server.family) {
    throw new SynqError(
      "badInput",
      `--client is ${client.family} but --server is ${server.family}`,
      "give both addresses of the same family, as they appear in one packet",
    );
  }
  return { family: client.family, client, server };
}

/** `addr:port` or `[addr]:port` for display. */
export function formatCookieEndpoint(e: CookieEndpoint): string {
  return e.family === "ipv6" ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

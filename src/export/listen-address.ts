import { isIP } from "node:net";
import { SynqError } from "../errors.js";

/**
 * synq export's port: outside 9100–9999, which Prometheus's "Default port allocations" wiki
 * page has fully handed out, and outside the block above 10000 that page now fills in order;
 * below Linux's ephemeral range (32768–60999), so no outgoing connection holds it; in no
 * /etc/services of Debian 12. 7967 is "SYNQ" on a phone keypad.
 */
export const DEFAULT_EXPORT_PORT = 7967;

/** Where the exporter listens: loopback unless told otherwise. */
export interface ListenAddress {
  /** undefined: every interface (IPv6 and IPv4 where the host has both). */
  host: string | undefined;
  /** 0: a free port the kernel picks (printed at start). */
  port: number;
}

export const DEFAULT_LISTEN: ListenAddress = { host: "127.0.0.1", port: DEFAULT_EXPORT_PORT };

function badListen(text: string, why: string): SynqError {
  return new SynqError(
    "badInput",
    `--listen ${JSON.stringify(text)} ${why}`,
    "give HOST:PORT (127.0.0.1:7967, [::1]:7967) or :PORT for every interface",
  );
}

/** `--listen HOST:PORT`, `[IPV6]:PORT` or `:PORT` (every interface). HOST is an IP address. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw badListen(text, "is not HOST:PORT");
  const port = Number(m[3]);
  if (port > 65535) throw badListen(text, "has no valid port");
  const bracketed = m[1];
  const host = bracketed ?? m[2] ?? "";
  if (bracketed !== undefined && isIP(bracketed) !== 6) {
    throw badListen(text, "has no IPv6 address between the brackets");
  }
  if (host === "") return { host: undefined, port };
  if (isIP(host) === 0) throw badListen(text, "does not start with an IP address");
  return { host, port };
}

/** The address as a URL's host:port part (IPv6 in brackets; every interface as shown). */
export function urlAuthority(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

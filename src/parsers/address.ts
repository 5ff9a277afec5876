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

/**
 * Parses `ss -n` endpoint text: `1.2.3.4:80`, `[::1]:80`, `*:80`, `0.0.0.0%lo:53`,
 * `[fe80::1]%eth0:22`. Returns null when the text is not an endpoint.
 */
export function parseEndpoint(text: string): Endpoint | null {
  const colon = text.lastIndexOf(":");
  if (colon <= 0) return null;
  const portText = text.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null;
  let host = text.slice(0, colon);
  let device: string | null = null;
  const percent = host.lastIndexOf("%");
  if (percent > 0 && percent > host.lastIndexOf("]")) {
    device = host.slice(percent + 1);
    host = host.slice(0, percent);
  }
  if (host === "*") return { address: "*", port, device, family: "any" };
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) return null;
    const inner = host.slice(1, -1);
    if (!inner.includes(":")) return null;
    return { address: inner.toLowerCase(), port, device, family: "inet6" };
  }
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return null;
  return { address: host, port, device, family: "inet" };
}

/** Formats an endpoint back the way `ss` does (`[v6]:port`, `v4:port`, `*:port`). */
export function formatEndpoint(e: Pick<Endpoint, "address" | "port" | "family">): string {
  return e.family === "inet6" ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

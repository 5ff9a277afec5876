import { isIPv4 } from "node:net";

/** The 4 bytes of a dotted IPv4 address. */
export function v4Bytes(addr: string): Buffer {
  return Buffer.from(addr.split(".").map(Number));
}

/** The 16 bytes of an IPv6 address, `::` and `::ffff:a.b.c.d` forms included. */
export function v6Bytes(addr: string): Buffer {
  const b = Buffer.alloc(16);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) {
    b.writeUInt16BE(0xffff, 10);
    v4Bytes(mapped[1] as string).copy(b, 12);
    return b;
  }
  const [head = "", tail = ""] = addr.split("::");
  const h = head ? head.split(":") : [];
  const t = addr.includes("::") && tail ? tail.split(":") : [];
  const groups = addr.includes("::")
    ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t]
    : h;
  for (const [i, g] of groups.entries()) b.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return b;
}

/** A sockaddr_in or sockaddr_in6 for libc calls. */
export function sockaddr(address: string, port: number): Buffer {
  if (isIPv4(address)) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(2, 0);
    b.writeUInt16BE(port, 2);
    v4Bytes(address).copy(b, 4);
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(10, 0);
  b.writeUInt16BE(port, 2);
  v6Bytes(address).copy(b, 8);
  return b;
}

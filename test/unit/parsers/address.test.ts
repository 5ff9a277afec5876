import { describe, expect, it } from "vitest";
import { formatEndpoint, parseEndpoint, unmapV4 } from "../../../src/parsers/address.js";

describe("parseEndpoint", () => {
  it.each([
    ["0.0.0.0:8080", { address: "0.0.0.0", port: 8080, device: null, family: "inet" }],
    ["127.0.0.2:80", { address: "127.0.0.2", port: 80, device: null, family: "inet" }],
    ["*:8443", { address: "*", port: 8443, device: null, family: "any" }],
    ["[::]:9443", { address: "::", port: 9443, device: null, family: "inet6" }],
    [
      "[::ffff:127.0.0.1]:7000",
      { address: "::ffff:127.0.0.1", port: 7000, device: null, family: "inet6" },
    ],
    ["0.0.0.0%lo:53", { address: "0.0.0.0", port: 53, device: "lo", family: "inet" }],
    ["[FE80::1]%eth0:22", { address: "fe80::1", port: 22, device: "eth0", family: "inet6" }],
  ])("%s", (text, expected) => {
    expect(parseEndpoint(text)).toEqual(expected);
  });

  it.each([
    "",
    "8080",
    "1.2.3.4",
    "1.2.3.4:99999",
    "1.2.3:80",
    "[::1:80",
    "::1:80",
    "host:80",
    "1.2.3.4:x",
    "1.2.3.4.5:80",
    "1..3.4:80",
    "1.2.3.4.:80",
    ".1.2.3:80",
    "1234.1.1.1:80",
    "1.2.3.4:",
    ":80",
    "[]:80",
    "[1.2.3.4]:80",
    "1.2.3.4:123456",
    "*x:80",
    "**:80",
  ])("rejects %j", (text) => {
    expect(parseEndpoint(text)).toBeNull();
  });

  it("agrees with a plain regular-expression reading on random endpoint-like text", () => {
    // The reading parseEndpoint replaced, kept here as the reference.
    const reference = (text: string) => {
      const colon = text.lastIndexOf(":");
      if (colon <= 0) return null;
      const portText = text.slice(colon + 1);
      if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return null;
      let host = text.slice(0, colon);
      let device: string | null = null;
      const percent = host.lastIndexOf("%");
      if (percent > 0 && percent > host.lastIndexOf("]")) {
        device = host.slice(percent + 1);
        host = host.slice(0, percent);
      }
      const port = Number(portText);
      if (host === "*") return { address: "*", port, device, family: "any" };
      if (host.startsWith("[")) {
        if (!host.endsWith("]") || !host.slice(1, -1).includes(":")) return null;
        return { address: host.slice(1, -1).toLowerCase(), port, device, family: "inet6" };
      }
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return null;
      return { address: host, port, device, family: "inet" };
    };
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const digits = (max: number) => String(random(10 ** (1 + random(max))));
    const hosts = [
      () => Array.from({ length: 3 + random(3) }, () => digits(4)).join("."),
      () => `[${["::", "::1", "FE80::1", "::ffff:1.2.3.4", "1.2.3.4", ""][random(6)]}]`,
      () => "*",
      () => ["", "host", "::1", "[::1"][random(4)],
    ];
    const junk = ".:[]%*0a";
    const counts = { valid: 0, invalid: 0 };
    for (let i = 0; i < 20000; i++) {
      let text = `${hosts[random(hosts.length)]?.()}${random(3) ? "" : "%lo"}:${digits(6)}`;
      if (random(2)) {
        const at = random(text.length + 1);
        text = text.slice(0, at) + junk[random(junk.length)] + text.slice(at + random(2));
      }
      const expected = reference(text);
      expect(parseEndpoint(text), text).toEqual(expected);
      counts[expected ? "valid" : "invalid"]++;
    }
    // Both outcomes are exercised in number, not just rejections.
    expect(counts.valid).toBeGreaterThan(3000);
    expect(counts.invalid).toBeGreaterThan(3000);
    for (const text of ["10.0.0.1:80", "[::1]%lo:5", "*:1", "1.2.3.4%eth0:65535"]) {
      expect(parseEndpoint(text)).toEqual(reference(text));
    }
  });

  it("round-trips through formatEndpoint", () => {
    for (const t of ["0.0.0.0:1", "[::1]:2", "*:3"]) {
      const e = parseEndpoint(t);
      expect(e && formatEndpoint(e)).toBe(t);
    }
  });

  it("unmaps only IPv4-mapped IPv6", () => {
    expect(unmapV4("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(unmapV4("::1")).toBeNull();
    expect(unmapV4("10.0.0.1")).toBeNull();
    expect(unmapV4("::FFFF:1.2.3.4")).toBe("1.2.3.4");
    expect(unmapV4("::ffff:1.2.3.4x")).toBeNull();
    expect(unmapV4("2001:db8::ffff:1.2.3.4")).toBeNull();
    expect(unmapV4("::ffff:abcd")).toBeNull();
  });
});

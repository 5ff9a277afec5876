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
  ])("rejects %j", (text) => {
    expect(parseEndpoint(text)).toBeNull();
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

import { describe, expect, it } from "vitest";
import {
  formatCookieEndpoint,
  makeCookieTuple,
  parseCookieEndpoint,
} from "../../../src/cookie/endpoint.js";
import { formatV6 } from "../../../src/net/inet.js";
import { errorOf } from "../../helpers/synq-error.js";

describe("endpoints", () => {
  it("parses IPv4, IPv6 and IPv4-mapped addresses", () => {
    expect(parseCookieEndpoint("10.0.0.1:40000", "c")).toMatchObject({
      family: "ipv4",
      address: "10.0.0.1",
      port: 40000,
      bytes: Uint8Array.from([10, 0, 0, 1]),
    });
    const v6 = parseCookieEndpoint("[2001:DB8:0:0::1]:443", "c");
    expect(v6.family).toBe("ipv6");
    expect(v6.address).toBe("2001:db8::1");
    expect(Array.from(v6.bytes.slice(0, 4))).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(v6.bytes[15]).toBe(1);
    expect(parseCookieEndpoint("[::ffff:192.0.2.7]:80", "c")).toMatchObject({
      family: "ipv4",
      address: "192.0.2.7",
    });
    expect(parseCookieEndpoint("[::1]:1", "c").address).toBe("::1");
    expect(formatV6(parseCookieEndpoint("[fe80::1:0:0:0:2]:1", "c").bytes)).toBe("fe80:0:0:1::2");
    expect(formatCookieEndpoint(v6)).toBe("[2001:db8::1]:443");
  });

  it.each([
    "10.0.0.1",
    "10.0.0.1:",
    "10.0.0.1:65536",
    "300.0.0.1:80",
    "2001:db8::1:80",
    "[::1]80",
    "host:80",
  ])("rejects %j", (text) => {
    expect(errorOf(() => parseCookieEndpoint(text, "--client")).exitCode).toBe(3);
  });

  it("refuses mixed families", () => {
    const e = errorOf(() =>
      makeCookieTuple(parseCookieEndpoint("10.0.0.1:1", "c"), parseCookieEndpoint("[::1]:2", "s")),
    );
    expect(e.oneLine()).toContain("--client is ipv4 but --server is ipv6");
  });
});

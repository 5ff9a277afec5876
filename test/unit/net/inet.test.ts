import { describe, expect, it } from "vitest";
import { formatAddress, formatPrefix, formatV6 } from "../../../src/net/inet.js";

const v6 = (...groups: number[]) => {
  const b = new Uint8Array(16);
  groups.forEach((g, i) => {
    b[i * 2] = g >> 8;
    b[i * 2 + 1] = g & 0xff;
  });
  return b;
};

describe("formatV6 (RFC 5952)", () => {
  it.each([
    [v6(0, 0, 0, 0, 0, 0, 0, 0), "::"],
    [v6(0, 0, 0, 0, 0, 0, 0, 1), "::1"],
    [v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), "2001:db8::1"],
    [v6(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1), "2001:db8:0:1::1"],
    [v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), "2001:db8::1:0:0:1"],
    [v6(0x2001, 0xdb8, 1, 2, 3, 4, 5, 0), "2001:db8:1:2:3:4:5:0"],
    [v6(0xfd00, 0x5eed, 0, 0, 0, 0, 0, 2), "fd00:5eed::2"],
    [v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001), "::ffff:10.0.0.1"],
  ])("%j → %s", (bytes, text) => {
    expect(formatV6(bytes)).toBe(text);
  });
});

describe("addresses, endpoints, prefixes", () => {
  it("formats by family", () => {
    expect(formatAddress(2, new Uint8Array([192, 0, 2, 5, 9, 9]))).toBe("192.0.2.5");
    expect(formatAddress(10, v6(0, 0, 0, 0, 0, 0, 0, 1))).toBe("::1");
  });

  it("names the /24 and the /64 a remote belongs to", () => {
    expect(formatPrefix(2, new Uint8Array([10, 1, 2]))).toBe("10.1.2.0/24");
    expect(formatPrefix(10, new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 7]))).toBe(
      "2001:db8:0:7::/64",
    );
  });
});

import { describe, expect, it } from "vitest";
import { formatSecret, parseSecret } from "../../../src/cookie/secret.js";
import { errorOf } from "../../helpers/synq-error.js";

const SECRET = "000102030405060708090a0b0c0d0e0f08090a0b0c0d0e0f0001020304050607";

describe("secret", () => {
  it("reads 32 bytes in memory order as little-endian u64 keys", () => {
    const s = parseSecret(SECRET);
    expect(s[0].key).toEqual([0x0706050403020100n, 0x0f0e0d0c0b0a0908n]);
    expect(s[1].key).toEqual([0x0f0e0d0c0b0a0908n, 0x0706050403020100n]);
    expect(formatSecret(s)).toBe(SECRET);
  });

  it("ignores separators and a 0x prefix", () => {
    const spaced = `0x${SECRET.match(/.{8}/g)?.join(" ")}`;
    expect(parseSecret(spaced)).toEqual(parseSecret(SECRET));
    expect(parseSecret(SECRET.replace(/(..)/g, "$1:").slice(0, -1))).toEqual(parseSecret(SECRET));
  });

  it("reads big-endian hosts' keys big-endian", () => {
    expect(parseSecret(SECRET, "big")[0].key[0]).toBe(0x0001020304050607n);
  });

  it.each([SECRET.slice(2), `${SECRET}00`, `${SECRET.slice(2)}zz`])("rejects %j", (text) => {
    expect(errorOf(() => parseSecret(text)).exitCode).toBe(3);
  });
});

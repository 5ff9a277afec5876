import { describe, expect, it } from "vitest";
import { hex32, parseU32, parseUnsigned } from "../../../src/cookie/parse-number.js";
import { errorOf } from "../../helpers/synq-error.js";

describe("parseU32", () => {
  it("reads decimal and 0x-hex", () => {
    expect(parseU32("0", "x")).toBe(0);
    expect(parseU32("2737055539", "x")).toBe(0xa3242733);
    expect(parseU32("0xA3242733", "x")).toBe(0xa3242733);
    expect(parseU32(" 4294967295 ", "x")).toBe(0xffffffff);
    expect(parseUnsigned("3", "--mss-index", 3)).toBe(3);
    expect(hex32(0xab)).toBe("0x000000ab");
  });

  it.each([
    ["-1", "is negative"],
    ["4294967296", "is larger than 4294967295"],
    ["0x100000000", "is larger than 4294967295"],
    ["abc", "is not a number"],
    ["12abc", "is not a number"],
    ["1.5", "is not a number"],
    ["", "is not a number"],
  ])("rejects %j (%s) with exit code 3", (text, why) => {
    const e = errorOf(() => parseU32(text, "sequence number"));
    expect(e.exitCode).toBe(3);
    expect(e.oneLine()).toContain(why);
    expect(e.oneLine()).not.toContain("\n");
  });
});

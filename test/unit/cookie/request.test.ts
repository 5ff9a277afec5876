import { describe, expect, it } from "vitest";
import { parseCookieRequest } from "../../../src/cookie/request.js";
import { errorOf } from "../../helpers/synq-error.js";

const SECRET = "000102030405060708090a0b0c0d0e0f08090a0b0c0d0e0f0001020304050607";

describe("parseCookieRequest", () => {
  const tuple = { client: "10.0.0.1:40000", server: "10.0.0.2:80" };

  it("accepts the documented combinations", () => {
    expect(parseCookieRequest({ seq: "0xa3242733" }).cookie).toEqual({
      value: 0xa3242733,
      source: "seq",
      ack: null,
    });
    expect(parseCookieRequest({ ack: "0" }).cookie).toEqual({
      value: 0xffffffff,
      source: "ack",
      ack: 0,
    });
    expect(parseCookieRequest({ tsval: "5" }).tsval).toBe(5);
    const full = parseCookieRequest({ seq: "1", ...tuple, isn: "2", secret: SECRET, count: "3" });
    expect(full).toMatchObject({ isn: 2, count: 3, endian: "little" });
    expect(full.tuple?.family).toBe("ipv4");
    expect(
      parseCookieRequest({ encode: true, mss: "1452", ...tuple, isn: "2", secret: SECRET }).encode,
    ).toEqual({ mssIndex: 2 });
    expect(parseCookieRequest({ kernel: true, ...tuple, isn: "2" }).kernel).toBe(true);
  });

  it.each([
    [{}, "nothing to decode"],
    [{ seq: "1", ack: "2" }, "both a sequence number and --ack"],
    [{ seq: "1", client: "10.0.0.1:1" }, "--server is missing"],
    [{ seq: "1", server: "10.0.0.1:1" }, "--client is missing"],
    [{ seq: "1", ...tuple }, "--isn is missing"],
    [{ seq: "1", ...tuple, isn: "1" }, "--secret is missing"],
    [{ seq: "1", secret: SECRET }, "--client and --server are missing"],
    [{ ...tuple, isn: "1", secret: SECRET }, "nothing to verify"],
    [{ tsval: "1", tsOffset: "x" }, "--ts-offset"],
    [{ tsOffset: "1", seq: "1" }, "--ts-offset was given without --tsval"],
    [{ seq: "1", mss: "1460" }, "--mss is only used with --encode or --kernel"],
    [{ seq: "1", mssIndex: "1" }, "--mss-index is only used with --encode"],
    [
      { encode: true, ...tuple, isn: "1", secret: SECRET },
      "--encode needs --mss-index 0..3 or --mss N",
    ],
    [{ encode: true, mssIndex: "4", ...tuple, isn: "1", secret: SECRET }, "is larger than 3"],
    [{ encode: true, mssIndex: "1", ...tuple, isn: "1" }, "--encode needs --secret"],
    [
      { encode: true, seq: "5", mssIndex: "1", ...tuple, isn: "1", secret: SECRET },
      "takes no sequence number",
    ],
    [{ kernel: true, seq: "1" }, "--client and --server are missing"],
    [{ kernel: true, seq: "1", ...tuple }, "--isn is missing"],
    [{ seq: "1", count: "5" }, "--count is only used with --secret"],
    [{ seq: "1", hostEndian: "middle" }, "--host-endian"],
  ] as const)("rejects %j: %s", (raw, text) => {
    const e = errorOf(() => parseCookieRequest(raw));
    expect(e.exitCode).toBe(3);
    expect(e.oneLine()).toContain(text);
    expect(e.oneLine()).not.toContain("\n");
  });
});

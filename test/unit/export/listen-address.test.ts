import { describe, expect, it } from "vitest";
import { ExitCode, SynqError } from "../../../src/errors.js";
import { DEFAULT_LISTEN, parseListenAddress } from "../../../src/export/listen-address.js";

describe("--listen", () => {
  it("defaults to loopback on 7967", () => {
    expect(DEFAULT_LISTEN).toEqual({ host: "127.0.0.1", port: 7967 });
  });

  it.each([
    ["127.0.0.1:9000", { host: "127.0.0.1", port: 9000 }],
    [":7967", { host: undefined, port: 7967 }],
    ["[::1]:7967", { host: "::1", port: 7967 }],
    ["[::]:80", { host: "::", port: 80 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
  ])("%s", (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });

  it.each([
    ["localhost:7967", /does not start with an IP address/],
    ["127.0.0.1", /is not HOST:PORT/],
    ["::1:7967", /is not HOST:PORT/],
    ["[127.0.0.1]:80", /no IPv6 address between the brackets/],
    ["127.0.0.1:70000", /has no valid port/],
    ["127.0.0.1:http", /is not HOST:PORT/],
    ["", /is not HOST:PORT/],
  ])("refuses %s", (text, pattern) => {
    let err: unknown;
    try {
      parseListenAddress(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SynqError);
    expect((err as SynqError).exitCode).toBe(ExitCode.badInput);
    expect((err as SynqError).oneLine()).toMatch(pattern);
    expect((err as SynqError).oneLine()).toMatch(/give HOST:PORT .* or :PORT for every interface$/);
  });
});

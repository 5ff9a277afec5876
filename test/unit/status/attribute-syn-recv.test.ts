import { describe, expect, it } from "vitest";
import { parseEndpoint } from "../../../src/parsers/address.js";
import { attributeSynRecv, type ListenerKey } from "../../../src/status/attribute-syn-recv.js";

function listener(text: string, v6only: boolean | null = null): ListenerKey {
  const local = parseEndpoint(text);
  if (!local) throw new Error(text);
  return { local, v6only };
}

function syn(text: string, count = 1) {
  const local = parseEndpoint(text);
  if (!local) throw new Error(text);
  return { local, count };
}

describe("attributeSynRecv", () => {
  it("prefers the exact address over the wildcard", () => {
    const r = attributeSynRecv(
      [listener("0.0.0.0:80"), listener("10.0.0.1:80")],
      [syn("10.0.0.1:80", 3), syn("10.0.0.2:80", 2)],
    );
    expect(r).toEqual({ perListener: [2, 3], unattributed: 0 });
  });

  it("gives IPv4 requests to a dual-stack listener, v4-mapped or not", () => {
    const r = attributeSynRecv(
      [listener("*:443", false)],
      [syn("10.0.0.1:443"), syn("[::ffff:10.0.0.1]:443", 2)],
    );
    expect(r.perListener).toEqual([3]);
  });

  it("never gives IPv4 requests to a v6only listener", () => {
    const r = attributeSynRecv(
      [listener("[::]:443", true)],
      [syn("10.0.0.1:443"), syn("[2001:db8::1]:443", 4)],
    );
    expect(r).toEqual({ perListener: [4], unattributed: 1 });
  });

  it("prefers 0.0.0.0 over a v6 wildcard for IPv4 requests", () => {
    const r = attributeSynRecv(
      [listener("[::]:443", true), listener("0.0.0.0:443")],
      [syn("10.0.0.1:443")],
    );
    expect(r.perListener).toEqual([0, 1]);
  });

  it("matches an IPv6 listener bound to a v4-mapped address", () => {
    const r = attributeSynRecv(
      [listener("[::ffff:127.0.0.1]:7000", false), listener("0.0.0.0:7000")],
      [syn("[::ffff:127.0.0.1]:7000"), syn("127.0.0.1:7000")],
    );
    expect(r.perListener).toEqual([2, 0]);
  });

  it("prefers the exact IPv6 address over [::], whether or not [::] also takes IPv4", () => {
    const r = attributeSynRecv(
      [listener("[::]:443", true), listener("[2001:db8::1]:443", true), listener("*:8443", false)],
      [syn("[2001:db8::1]:443", 3), syn("[2001:db8::2]:443", 2), syn("[2001:db8::1]:8443")],
    );
    expect(r).toEqual({ perListener: [2, 3, 1], unattributed: 0 });
  });

  it("counts the requests of a port on every listener that matches best, and only those", () => {
    const r = attributeSynRecv(
      [
        listener("10.0.0.1:80"),
        listener("0.0.0.0:80"),
        listener("10.0.0.1:80"),
        listener("*:80", false),
        listener("10.0.0.1:8080"),
      ],
      [syn("10.0.0.1:80", 4), syn("10.0.0.9:80", 2), syn("[2001:db8::5]:80", 7)],
    );
    expect(r).toEqual({ perListener: [4, 2, 4, 7, 0], unattributed: 0 });
  });

  it("shares the total among SO_REUSEPORT listeners of one address:port", () => {
    const r = attributeSynRecv(
      [listener("0.0.0.0:80"), listener("0.0.0.0:80")],
      [syn("1.2.3.4:80", 5)],
    );
    expect(r.perListener).toEqual([5, 5]);
  });

  it("keeps ports apart and counts requests of closed listeners as unattributed", () => {
    const r = attributeSynRecv([listener("0.0.0.0:80")], [syn("1.2.3.4:81", 2)]);
    expect(r).toEqual({ perListener: [0], unattributed: 2 });
  });

  it("handles no listeners and no requests", () => {
    expect(attributeSynRecv([], [])).toEqual({ perListener: [], unattributed: 0 });
  });
});

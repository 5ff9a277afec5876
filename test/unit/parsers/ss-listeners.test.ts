import { describe, expect, it } from "vitest";
import { SynqError } from "../../../src/errors.js";
import { parseSsListeners } from "../../../src/parsers/ss-listeners.js";
import { capturesOf } from "../../helpers/fixtures.js";

describe.each(capturesOf("busy"))("parseSsListeners on $label", (capture) => {
  const listeners = parseSsListeners(capture.read("ss-listeners.txt"));
  const find = (address: string, port: number) =>
    listeners.filter((l) => l.local.address === address && l.local.port === port);

  it("finds every listener of the scenario", () => {
    expect(listeners).toHaveLength(10);
  });

  it("reads the flooded listener: queue 5 of backlog 4, drops, two owning processes", () => {
    const [l] = find("0.0.0.0", 8080);
    expect(l?.acceptQueue).toBe(5);
    expect(l?.backlog).toBe(4);
    expect(l?.drops).toBeGreaterThan(0);
    expect(new Set(l?.owners.map((o) => o.pid)).size).toBe(2);
    expect(l?.owners.map((o) => o.command).sort()).toEqual(["node", "sleep"]);
  });

  it("tells dual-stack, v6only and v4-mapped listeners apart", () => {
    expect(find("*", 8443)[0]?.local.family).toBe("any");
    expect(find("::", 9443)[0]?.v6only).toBe(true);
    expect(find("::1", 9000)[0]?.local.family).toBe("inet6");
    expect(find("::ffff:127.0.0.1", 7000)[0]?.v6only).toBe(false);
  });

  it("keeps the bound device and SO_REUSEPORT twins", () => {
    expect(find("0.0.0.0", 53)[0]?.local.device).toBe("lo");
    expect(find("0.0.0.0", 7443)).toHaveLength(2);
  });

  it("reads inode numbers", () => {
    for (const l of listeners) expect(l.inode).toBeGreaterThan(0);
  });
});

describe.each(capturesOf("empty"))("parseSsListeners on $label", (capture) => {
  it("returns no listeners", () => {
    expect(parseSsListeners(capture.read("ss-listeners.txt"))).toEqual([]);
  });
});

describe("parseSsListeners edge cases", () => {
  it("parses command names with quotes, commas and parentheses", () => {
    const text =
      'LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("my \\"odd\\", (x)",pid=10,fd=3),("sshd",pid=11,fd=4)) ino:5 sk:1 <->\n';
    const [l] = parseSsListeners(text);
    expect(l?.owners).toEqual([
      { command: 'my \\"odd\\", (x)', pid: 10, fd: 3 },
      { command: "sshd", pid: 11, fd: 4 },
    ]);
  });

  it("accepts output without -e, -m or -p, and a header line", () => {
    const text =
      "State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 1 511 [::]:80 [::]:*\n";
    expect(parseSsListeners(text)).toEqual([
      {
        local: { address: "::", port: 80, device: null, family: "inet6" },
        acceptQueue: 1,
        backlog: 511,
        owners: [],
        drops: null,
        inode: null,
        uid: null,
        v6only: null,
      },
    ]);
  });

  it("tolerates unknown new fields", () => {
    const text =
      "LISTEN 0 5 0.0.0.0:80 0.0.0.0:* newfield:(1,2) ino:9 future:x <->\n\t skmem:(r0,d7) more:stuff\n";
    const [l] = parseSsListeners(text);
    expect(l?.drops).toBe(7);
    expect(l?.inode).toBe(9);
  });

  it.each([
    ["LISTEN abc 5 0.0.0.0:80 0.0.0.0:*\n", /line 1 .*Recv-Q and Send-Q must be numbers/],
    ["LISTEN 0 5 nonsense 0.0.0.0:*\n", /line 1 .*bad local address nonsense/],
    ["\t skmem:(r0)\n", /line 1 .*detail line without a socket line/],
    ["LISTEN 0\n", /line 1 .*expected Recv-Q, Send-Q and a local address/],
  ])("rejects garbage %j naming source and line", (text, message) => {
    expect(() => parseSsListeners(text, "ss-test")).toThrow(SynqError);
    expect(() => parseSsListeners(text, "ss-test")).toThrow(message);
    expect(() => parseSsListeners(text, "ss-test")).toThrow(/ss-test/);
  });
});

import { describe, expect, it } from "vitest";
import { SynqError } from "../../../src/errors.js";
import {
  DiagErrnoError,
  InetDiagDumpParser,
  NLMSG_ERROR,
  SOCK_DIAG_BY_FAMILY,
} from "../../../src/parsers/inet-diag.js";
import { parseSsListeners } from "../../../src/parsers/ss-listeners.js";
import { countSynRecv } from "../../../src/parsers/ss-syn-recv.js";
import {
  readingOf,
  type SocketReading,
  withOwners,
} from "../../../src/status/read-sockets-diag.js";
import { type Capture, capturesOf } from "../../helpers/fixtures.js";

function parse(bytes: Uint8Array): InetDiagDumpParser {
  const p = new InetDiagDumpParser("test dump");
  p.push(bytes);
  return p;
}

/** Interface index → name, from the `ip -o link show` captured beside the dump. */
function deviceNames(capture: Capture): Map<number, string> {
  const names = new Map<number, string>();
  for (const m of capture.read("ip-link.txt").matchAll(/^(\d+): ([^:@]+)[:@]/gm)) {
    names.set(Number(m[1]), m[2] as string);
  }
  return names;
}

function readingOfCapture(capture: Capture): SocketReading {
  const dumps = ["sock-diag-inet.bin", "sock-diag-inet6.bin"].map((f) =>
    parse(capture.readBytes(f)),
  );
  for (const d of dumps) expect(d.done).toBe(true);
  const names = deviceNames(capture);
  return readingOf(dumps, (index) => names.get(index) ?? `if${index}`);
}

const byEndpoint = (a: { local: object }, b: { local: object }) =>
  JSON.stringify(a.local).localeCompare(JSON.stringify(b.local));

describe.each([...capturesOf("busy"), ...capturesOf("synqueue"), ...capturesOf("cookies")])(
  "sock_diag dump of $label",
  (capture) => {
    // ss read the same sockets at the same moment: the two readings must agree field by field.
    const ssListeners = parseSsListeners(capture.read("ss-listeners.txt"));
    const owners = new Map(ssListeners.map((l) => [l.inode as number, l.owners]));
    const reading = withOwners(readingOfCapture(capture), owners);

    it("lists the listeners ss lists, with the same queues, drops, inodes and v6only", () => {
      const strip = (l: (typeof ssListeners)[number]) => ({ ...l, uid: null, owners: [] });
      expect(reading.listeners.map(strip)).toEqual(ssListeners.map(strip));
    });

    it("counts the SYN-RECV entries ss lists, per local endpoint", () => {
      const ss = countSynRecv(capture.read("ss-syn-recv.txt"));
      expect([...reading.synRecv].sort(byEndpoint)).toEqual([...ss].sort(byEndpoint));
    });
  },
);

describe.each(capturesOf("busy"))("sock_diag dump of $label, in detail", (capture) => {
  const reading = readingOfCapture(capture);
  const find = (address: string, port: number) =>
    reading.listeners.filter((l) => l.local.address === address && l.local.port === port);

  it("reads the flooded listener's accept queue (5 of 4) and its sk_drops", () => {
    const [l] = find("0.0.0.0", 8080);
    expect(l?.acceptQueue).toBe(5);
    expect(l?.backlog).toBe(4);
    expect(l?.drops).toBeGreaterThan(0);
  });

  it("names dual-stack wildcards `*`, keeps [::] v6only, v4-mapped and device-bound listeners", () => {
    expect(find("*", 8443)[0]?.local.family).toBe("any");
    expect(find("::", 9443)[0]?.v6only).toBe(true);
    expect(find("::ffff:127.0.0.1", 7000)[0]?.v6only).toBe(false);
    expect(find("0.0.0.0", 53)[0]?.local.device).toBe("lo");
  });

  it("counts v4-mapped requests to a dual-stack listener under their IPv6 form", () => {
    const mapped = reading.synRecv.find(
      (s) => s.local.address === "::ffff:127.0.0.1" && s.local.port === 8443,
    );
    expect(mapped?.count).toBe(2);
  });

  it("gives the same result when each message arrives in a datagram of its own", () => {
    const whole = parse(capture.readBytes("sock-diag-inet.bin"));
    const split = new InetDiagDumpParser("split");
    const bytes = capture.readBytes("sock-diag-inet.bin");
    for (let at = 0; at < bytes.length; ) {
      const len = (bytes.readUInt32LE(at) + 3) & ~3;
      split.push(bytes.subarray(at, at + len));
      at += len;
    }
    expect(split.listeners()).toEqual(whole.listeners());
    expect(split.synRecv()).toEqual(whole.synRecv());
  });

  it("reads a buffer that does not start on a 4-byte boundary", () => {
    const bytes = capture.readBytes("sock-diag-inet.bin");
    const odd = new Uint8Array(bytes.length + 1).subarray(1);
    odd.set(bytes);
    expect(parse(odd).synRecv()).toEqual(parse(bytes).synRecv());
  });
});

describe.each(capturesOf("empty"))("sock_diag dump of $label", (capture) => {
  it("holds nothing but the end of the dump", () => {
    for (const f of ["sock-diag-inet.bin", "sock-diag-inet6.bin"]) {
      const p = parse(capture.readBytes(f));
      expect(p.done).toBe(true);
      expect(p.listeners()).toEqual([]);
      expect(p.synRecv()).toEqual([]);
    }
  });
});

describe("InetDiagDumpParser on damaged input", () => {
  const [busy] = capturesOf("busy");
  const bytes = (busy as Capture).readBytes("sock-diag-inet.bin");

  it("names the source and the message when a message is cut short", () => {
    const cut = bytes.subarray(0, 16 + 40);
    expect(() => parse(cut)).toThrow(SynqError);
    expect(() => parse(cut)).toThrow(/test dump message 1 \(bad nlmsg_len/);
  });

  it("rejects a length that points past the datagram", () => {
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(bad.length + 64, 0);
    expect(() => parse(bad)).toThrow(/bad nlmsg_len/);
  });

  it("rejects a message type it does not know", () => {
    const bad = Buffer.from(bytes);
    bad.writeUInt16LE(99, 4);
    expect(() => parse(bad)).toThrow(/unexpected message type 99/);
  });

  it("rejects an address family other than IPv4 and IPv6", () => {
    const bad = Buffer.from(bytes);
    expect(bad.readUInt16LE(4)).toBe(SOCK_DIAG_BY_FAMILY);
    bad[16] = 1; // AF_UNIX
    expect(() => parse(bad)).toThrow(/address family 1/);
  });

  it("turns NLMSG_ERROR into the kernel's errno", () => {
    const err = Buffer.alloc(36);
    err.writeUInt32LE(36, 0);
    err.writeUInt16LE(NLMSG_ERROR, 4);
    err.writeInt32LE(-2, 16);
    try {
      parse(err);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiagErrnoError);
      expect((e as DiagErrnoError).errno).toBe(2);
    }
  });
});

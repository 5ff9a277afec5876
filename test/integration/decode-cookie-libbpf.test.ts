/**
 * src/ffi/libbpf.ts and src/cookie/kernel-oracle.ts on the running kernel (root): the koffi
 * bindings, BPF_PROG_TEST_RUN, map access, error mapping, and the oracle's answers.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeCookieTuple, parseCookieEndpoint } from "../../src/cookie/endpoint.js";
import {
  askKernel,
  explainLoadError,
  ORACLE_MAP,
  ORACLE_OBJECT,
  ORACLE_PROGRAM,
  parseSyncookieResult,
  SYNCOOKIE_OP,
  SYNCOOKIE_RESULT,
} from "../../src/cookie/kernel-oracle.js";
import { defaultSynMss, msstab } from "../../src/cookie/mss-table.js";
import { ackFrame, synFrame } from "../../src/cookie/oracle-packet.js";
import {
  BpfObject,
  bpfMapLookupElem,
  bpfMapUpdateElem,
  bpfProgTestRun,
  LibbpfError,
  libbpfVersion,
  packagedBpfObject,
  takeLibbpfLog,
  withBpfObject,
} from "../../src/ffi/libbpf.js";
import { isRoot, missing } from "../helpers/prerequisites.js";

const XDP_PASS = 2;
const XDP_ABORTED = 0;
const tuple4 = makeCookieTuple(
  parseCookieEndpoint("192.0.2.1:40000", "c"),
  parseCookieEndpoint("192.0.2.2:443", "s"),
);
const tuple6 = makeCookieTuple(
  parseCookieEndpoint("[2001:db8::1]:40000", "c"),
  parseCookieEndpoint("[2001:db8::2]:443", "s"),
);

describe("errors that need no kernel", () => {
  it("finds the object in the package's bpf/ directory", () => {
    expect(existsSync(packagedBpfObject(ORACLE_OBJECT))).toBe(true);
  });

  it("maps a verifier rejection of the helpers to 'kernel too old'", () => {
    const err = new LibbpfError("kernelUnsupported", "load failed", "fix", 22, [
      "libbpf: prog 'syncookie_oracle': BPF program load failed: Invalid argument",
      "unknown func bpf_tcp_raw_gen_syncookie_ipv4#204",
    ]);
    const mapped = explainLoadError(err, "5.19.0");
    expect(mapped).not.toBe(err);
    expect((mapped as Error).message).toMatch(/no bpf_tcp_raw_gen_syncookie.*6\.0/);
    const other = new LibbpfError("kernelUnsupported", "x", "y", 12, ["out of memory"]);
    expect(explainLoadError(other, "6.18.0")).toBe(other);
  });

  it("refuses a missing object with a fix", () => {
    expect(() => BpfObject.open("/nonexistent/synq.bpf.o")).toThrow(/missing/);
  });
});

describe.skipIf(missing(isRoot, "root (BPF)"))("libbpf.so.1 through koffi, as root", () => {
  const dir = mkdtempSync(join(tmpdir(), "synq-libbpf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports its version", () => {
    expect(libbpfVersion()).toMatch(/^1\.\d+$/);
  });

  it("turns a bad object into a one-line LibbpfError with errno, and captures libbpf's log", () => {
    const bogus = join(dir, "bogus.bpf.o");
    writeFileSync(bogus, "not an ELF file");
    let err: unknown;
    try {
      BpfObject.open(bogus);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LibbpfError);
    const e = err as LibbpfError;
    expect(e.errno).toBeGreaterThan(0);
    expect(e.oneLine()).not.toContain("\n");
    expect(e.log.join("\n")).toMatch(/libbpf/);
  });

  it("opens, loads, runs, reads and writes maps, and closes idempotently", () => {
    const obj = BpfObject.open(packagedBpfObject(ORACLE_OBJECT));
    try {
      obj.load();
      const prog = obj.programFd(ORACLE_PROGRAM);
      const map = obj.mapFd(ORACLE_MAP);
      expect(prog).toBeGreaterThan(0);
      expect(map).toBeGreaterThan(0);
      expect(() => obj.programFd("no_such_program")).toThrow(LibbpfError);

      const key = new Uint8Array(4);
      const run = bpfProgTestRun(prog, synFrame(tuple4, 1234, 1460), { dataOutSize: 256 });
      expect(run.retval).toBe(XDP_PASS);
      expect(run.dataOut).toHaveLength(14 + 20 + 24);
      const res = parseSyncookieResult(
        bpfMapLookupElem(map, key, SYNCOOKIE_RESULT.size) as Uint8Array,
      );
      expect(res.op).toBe(SYNCOOKIE_OP.GEN);
      expect(Number(res.gen >> 32n)).toBe(1460);
      expect(res.jiffies).toBeGreaterThan(0n);

      // A frame the program does not understand: aborted, op NONE.
      expect(bpfProgTestRun(prog, new Uint8Array(14)).retval).toBe(XDP_ABORTED);
      const none = parseSyncookieResult(
        bpfMapLookupElem(map, key, SYNCOOKIE_RESULT.size) as Uint8Array,
      );
      expect(none.op).toBe(SYNCOOKIE_OP.NONE);

      // Map writes from user space, and a key past an array's end.
      const value = new Uint8Array(SYNCOOKIE_RESULT.size).fill(0xab);
      bpfMapUpdateElem(map, key, value);
      expect(bpfMapLookupElem(map, key, SYNCOOKIE_RESULT.size)).toEqual(value);
      expect(
        bpfMapLookupElem(map, Uint8Array.from([1, 0, 0, 0]), SYNCOOKIE_RESULT.size),
      ).toBeNull();
    } finally {
      obj.close();
      obj.close();
    }
    expect(() => obj.programFd(ORACLE_PROGRAM)).toThrow(/after close/);
  });

  it("withBpfObject closes even when the callback throws", () => {
    let seen: BpfObject | null = null;
    expect(() =>
      withBpfObject(packagedBpfObject(ORACLE_OBJECT), (obj) => {
        seen = obj;
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(() => (seen as unknown as BpfObject).pointer).toThrow(/after close/);
    takeLibbpfLog();
  });
});

describe.skipIf(missing(isRoot, "root (BPF)"))("the cookie oracle, as root", () => {
  for (const [name, tuple] of [
    ["ipv4", tuple4],
    ["ipv6", tuple6],
  ] as const) {
    it(`${name}: generates, validates its own cookie, rejects a tampered one`, () => {
      const gen = askKernel({ tuple, isn: 0x01020304, cookie: null, synMss: null });
      // No MSS option: the kernel assumes TCP_MSS_DEFAULT (IPv4) / IPV6_MIN_MTU − 60 (IPv6).
      expect(gen.generated.mss).toBe(defaultSynMss[name]);
      expect(gen.perIndex.map((p) => p.mss)).toEqual([...msstab[name]]);
      // The four cookies differ only in (H1 + mssind) & COOKIEMASK.
      const low = gen.perIndex.map((p) => p.cookie & 0xffffff);
      for (let i = 1; i < 4; i++) expect((low[i] as number) - (low[0] as number)).toBe(i);

      const third = gen.perIndex[2]?.cookie as number;
      const ok = askKernel({ tuple, isn: 0x01020304, cookie: third, synMss: 1440 });
      expect(ok.check).toMatchObject({
        valid: true,
        issuedThisMinute: true,
        mssIndex: 2,
        errno: 0,
      });
      expect(ok.generated.cookie).toBe(third);

      const bad = askKernel({
        tuple,
        isn: 0x01020304,
        cookie: (third + 0x100) >>> 0,
        synMss: 1440,
      });
      expect(bad.check).toMatchObject({ valid: false, issuedThisMinute: false, errno: 13 });
    });
  }

  it("checks an ACK frame exactly as crafted", () => {
    const obj = BpfObject.open(packagedBpfObject(ORACLE_OBJECT));
    try {
      obj.load();
      const r = bpfProgTestRun(obj.programFd(ORACLE_PROGRAM), ackFrame(tuple4, 1, 2));
      expect(r.retval).toBe(XDP_PASS);
      const res = parseSyncookieResult(
        bpfMapLookupElem(
          obj.mapFd(ORACLE_MAP),
          new Uint8Array(4),
          SYNCOOKIE_RESULT.size,
        ) as Uint8Array,
      );
      expect(res).toMatchObject({ op: SYNCOOKIE_OP.CHECK, check: -13 });
    } finally {
      obj.close();
    }
  });
});

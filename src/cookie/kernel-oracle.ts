/**
 * Asks the running kernel about SYN cookies, with its own (unreadable) secret: loads
 * bpf/syncookie.bpf.o and feeds it crafted frames with BPF_PROG_TEST_RUN.
 *
 *   SYN → bpf_tcp_raw_gen_syncookie_ipv{4,6} → __cookie_v{4,6}_init_sequence():
 *         the cookie this kernel would send right now, and the MSS it encodes.
 *   ACK → bpf_tcp_raw_check_syncookie_ipv{4,6} → __cookie_v{4,6}_check():
 *         whether ack − 1 is a valid cookie for (tuple, seq − 1) right now.
 *
 * The check helper only answers valid/invalid. To also name the MSS index, the oracle
 * generates the cookie for each msstab entry: a cookie issued in the current minute equals
 * one of them; a valid cookie matching none was issued in the previous minute.
 * Needs root and Linux ≥ 6.0 (the helpers), CONFIG_SYN_COOKIES, and libbpf.so.1.
 */
import { release } from "node:os";
import { SynqError } from "../errors.js";
import {
  BpfObject,
  bpfMapLookupElem,
  bpfProgTestRun,
  LibbpfError,
  packagedBpfObject,
} from "../ffi/libbpf.js";
import { HOST_LE } from "../net/byte-order.js";
import { Errno } from "../system/errno.js";
import type { CookieTuple } from "./endpoint.js";
import { mssIndexFor, msstab } from "./mss-table.js";
import { ackFrame, synFrame } from "./oracle-packet.js";

/** The compiled program, shipped in the package's bpf/ directory. */
export const ORACLE_OBJECT = "syncookie.bpf.o";
/** Program and map names in bpf/syncookie.bpf.c. */
export const ORACLE_PROGRAM = "syncookie_oracle";
/** The array map the program writes its answer to (key 0). */
export const ORACLE_MAP = "results";

/** `SYNCOOKIE_OP_*` from bpf/syncookie.h. */
export const SYNCOOKIE_OP = { NONE: 0, GEN: 1, CHECK: 2 } as const;

/** Byte offsets of `struct syncookie_result` (bpf/syncookie.h); sizeof = 24. */
export const SYNCOOKIE_RESULT = { gen: 0, jiffies: 8, check: 16, op: 20, size: 24 } as const;

/** XDP_PASS: the program understood the frame. */
const XDP_PASS = 2;

/** One `struct syncookie_result`. */
export interface SyncookieResult {
  gen: bigint;
  jiffies: bigint;
  check: number;
  op: number;
}

/** Reads `struct syncookie_result` from the map value bytes (host byte order). */
export function parseSyncookieResult(bytes: Uint8Array): SyncookieResult {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    gen: v.getBigInt64(SYNCOOKIE_RESULT.gen, HOST_LE),
    jiffies: v.getBigUint64(SYNCOOKIE_RESULT.jiffies, HOST_LE),
    check: v.getInt32(SYNCOOKIE_RESULT.check, HOST_LE),
    op: v.getUint32(SYNCOOKIE_RESULT.op, HOST_LE),
  };
}

/** What to ask. */
export interface OracleQuery {
  tuple: CookieTuple;
  /** The client's ISN (the SYN's seq). */
  isn: number;
  /** A cookie to check (the SYN-ACK's seq, or the ACK's ack − 1), or null. */
  cookie: number | null;
  /** MSS option of the SYN to generate a cookie for; null = SYN without MSS option. */
  synMss: number | null;
}

/** A cookie the kernel generated. */
export interface GeneratedCookie {
  cookie: number;
  mss: number;
  mssIndex: number;
}

/** The kernel's answers. */
export interface OracleAnswer {
  /** bpf_jiffies64() when the questions were asked. */
  jiffies64: bigint;
  /** The cookie for the SYN in the query. */
  generated: GeneratedCookie & { synMss: number | null };
  /** The cookie for the same SYN with each msstab MSS, index order. */
  perIndex: GeneratedCookie[];
  check: null | {
    cookie: number;
    /** The ACK's acknowledgment number the kernel was shown (cookie + 1). */
    ack: number;
    valid: boolean;
    /** 0 when valid, EACCES when not; anything else is an error. */
    errno: number;
    /** MSS index when the cookie equals one generated this minute, else null. */
    mssIndex: number | null;
    issuedThisMinute: boolean;
  };
}

function kernelTooOld(rel: string): SynqError {
  return new SynqError(
    "kernelUnsupported",
    `kernel ${rel} has no bpf_tcp_raw_gen_syncookie/bpf_tcp_raw_check_syncookie helpers (Linux 6.0+ with CONFIG_SYN_COOKIES)`,
    "run --kernel on Linux 6.0 or later, or verify offline with --secret",
  );
}

/** Refuses early, with a fix, when --kernel cannot work here. */
export function assertOracleUsable(rel = release(), euid = process.geteuid?.()): void {
  if (euid !== 0) {
    throw new SynqError(
      "permission",
      "--kernel loads a BPF program, which needs root",
      "rerun with sudo (or drop --kernel and verify with --secret)",
    );
  }
  const m = /^(\d+)\.(\d+)/.exec(rel);
  if (m && Number(m[1]) < 6) throw kernelTooOld(rel);
}

/** Turns a verifier rejection of the helpers into "kernel too old"; other errors pass through. */
export function explainLoadError(err: unknown, rel: string): unknown {
  if (!(err instanceof LibbpfError)) return err;
  const log = err.log.join("\n");
  if (/unknown func|invalid func|cannot use helper|cannot call/i.test(log))
    return kernelTooOld(rel);
  return err;
}

function genError(ret: bigint, family: string): SynqError {
  const errno = Number(-ret);
  if (errno === Errno.EPROTONOSUPPORT) {
    return new SynqError(
      "kernelUnsupported",
      "the kernel cannot issue IPv6 cookies from BPF (EPROTONOSUPPORT: IPv6 is a module, not built in)",
      "ask about an IPv4 tuple, or verify offline with --secret",
    );
  }
  return new SynqError(
    "kernelUnsupported",
    `bpf_tcp_raw_gen_syncookie_${family} failed with errno ${errno}`,
    "rerun with SYNQ_DEBUG=1 and report it",
  );
}

/** Asks the running kernel; always closes the BPF object. */
export function askKernel(
  q: OracleQuery,
  hz: number | null = null,
  objectPath = packagedBpfObject(ORACLE_OBJECT),
): OracleAnswer {
  const rel = release();
  assertOracleUsable(rel);
  const obj = BpfObject.open(objectPath);
  try {
    try {
      obj.load();
    } catch (err) {
      throw explainLoadError(err, rel);
    }
    const progFd = obj.programFd(ORACLE_PROGRAM);
    const mapFd = obj.mapFd(ORACLE_MAP);
    const key = new Uint8Array(4);
    const run = (frame: Uint8Array): SyncookieResult => {
      const { retval } = bpfProgTestRun(progFd, frame);
      const value = bpfMapLookupElem(mapFd, key, SYNCOOKIE_RESULT.size);
      const res = value ? parseSyncookieResult(value) : null;
      if (retval !== XDP_PASS || !res || res.op === SYNCOOKIE_OP.NONE) {
        throw new SynqError(
          "kernelUnsupported",
          `the cookie oracle did not understand its own packet (XDP action ${retval})`,
          "rerun with SYNQ_DEBUG=1 and report it",
        );
      }
      return res;
    };
    const gen = (mss: number | null): GeneratedCookie & { jiffies: bigint } => {
      const res = run(synFrame(q.tuple, q.isn, mss));
      if (res.gen < 0n) throw genError(res.gen, q.tuple.family);
      const gotMss = Number((res.gen >> 32n) & 0xffffn);
      return {
        cookie: Number(res.gen & 0xffffffffn),
        mss: gotMss,
        mssIndex: mssIndexFor(q.tuple.family, gotMss),
        jiffies: res.jiffies,
      };
    };
    // If the minute counter ticks between the first and the last question, the answers
    // mix two minutes: ask again (once; the next tick is a minute away).
    for (let attempt = 0; ; attempt++) {
      const perIndex = msstab[q.tuple.family].map((m) => gen(m));
      const generated = gen(q.synMss);
      let lastJiffies = generated.jiffies;
      let check: OracleAnswer["check"] = null;
      if (q.cookie !== null) {
        const res = run(ackFrame(q.tuple, q.isn, q.cookie));
        lastJiffies = res.jiffies;
        const errno = -res.check || 0; // not -0
        if (errno !== 0 && errno !== Errno.EACCES) {
          throw new SynqError(
            "kernelUnsupported",
            `bpf_tcp_raw_check_syncookie_${q.tuple.family} failed with errno ${errno}`,
            "rerun with SYNQ_DEBUG=1 and report it",
          );
        }
        const idx = perIndex.findIndex((p) => p.cookie === q.cookie);
        check = {
          cookie: q.cookie,
          ack: (q.cookie + 1) >>> 0,
          valid: errno === 0,
          errno,
          mssIndex: idx >= 0 ? idx : null,
          issuedThisMinute: idx >= 0,
        };
      }
      const firstJiffies = (perIndex[0] as { jiffies: bigint }).jiffies;
      if (attempt > 0 || sameMinute(firstJiffies, lastJiffies, hz)) {
        return {
          jiffies64: generated.jiffies,
          generated: {
            cookie: generated.cookie,
            mss: generated.mss,
            mssIndex: generated.mssIndex,
            synMss: q.synMss,
          },
          perIndex: perIndex.map(({ cookie, mss, mssIndex }) => ({ cookie, mss, mssIndex })),
          check,
        };
      }
    }
  } finally {
    obj.close();
  }
}

/** Whether two jiffies readings give the same tcp_cookie_time() (for every usual HZ if unknown). */
function sameMinute(a: bigint, b: bigint, hz: number | null): boolean {
  return (hz ? [hz] : [100, 250, 300, 1000]).every(
    (h) => a / BigInt(60 * h) === b / BigInt(60 * h),
  );
}

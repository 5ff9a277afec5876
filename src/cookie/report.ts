/**
 * decode-cookie's service: from a validated request to the report (src/model/cookie.ts).
 * Reads the system only where the request needs it (minute counter, --kernel), through
 * injectable functions so tests can pin them.
 */
import { readFileSync } from "node:fs";
import { release } from "node:os";
import type {
  BitField,
  CookieReport,
  KernelAnswer,
  LinuxVerification,
  SequenceCookie,
  TimestampCookie,
} from "../model/cookie.js";
import { COOKIE_SCHEMA_VERSION } from "../model/schema-versions.js";
import { decodeClassic } from "./classic.js";
import {
  type CookieTime,
  cookieTimeFromFlag,
  cookieTimeFromJiffies,
  readCookieTime,
  readKernelHz,
} from "./cookie-time.js";
import type { CookieTuple } from "./endpoint.js";
import type { OracleAnswer, OracleQuery } from "./kernel-oracle.js";
import {
  COOKIEBITS,
  COOKIEMASK,
  decodeLinuxCookie,
  MAX_SYNCOOKIE_AGE,
  secureTcpSynCookie,
} from "./linux.js";
import { msstab } from "./mss-table.js";
import { hex32 } from "./parse-number.js";
import type { CookieRequest } from "./request.js";
import type { HostEndian, SyncookieSecret } from "./secret.js";
import { cookieTimestampDecode, TS_OPT_WSCALE_MASK } from "./timestamp.js";

/** The system access the report may need; tests replace these. */
export interface CookieReportDeps {
  readCookieTime: () => Promise<CookieTime>;
  readKernelHz: () => Promise<{ hz: number; source: string } | null>;
  askKernel: (q: OracleQuery, hz: number | null) => Promise<OracleAnswer>;
  /** This netns's net.ipv4.tcp_timestamps, or null when unreadable. */
  localTcpTimestamps: () => number | null;
  kernelRelease: () => string;
}

/** The real system. */
export const systemDeps: CookieReportDeps = {
  readCookieTime: () => readCookieTime(),
  readKernelHz: () => readKernelHz(),
  // Imported on demand: koffi and libbpf are only needed for --kernel (keeps start-up fast).
  askKernel: async (q, hz) => (await import("./kernel-oracle.js")).askKernel(q, hz),
  localTcpTimestamps: () => {
    try {
      return Number(readFileSync("/proc/sys/net/ipv4/tcp_timestamps", "utf8").trim());
    } catch {
      return null;
    }
  },
  kernelRelease: () => release(),
};

/** The Linux formula, as printed and in JSON. */
export const LINUX_FORMULA =
  "cookie = H0 + ISN + (count << 24) + ((H1(count) + mssind) mod 2^24), H0/H1 = SipHash-2-4 of the 4-tuple under syncookie_secret[0]/[1]";

const LINUX_NOTE =
  "On Linux no field can be read off the number: the minute counter and the MSS index are hidden under keyed hashes (SipHash with the kernel's random syncookie_secret) and the client's ISN. Only with the 4-tuple, the ISN and the secret can check_tcp_syn_cookie be redone; or ask the running kernel with --kernel.";

const CLASSIC_NOTE =
  "Classic layout (Bernstein/Schenk 1996): pure bit slicing of the number. Linux does not build cookies this way, so on a Linux cookie these fields are meaningless.";

function endpointModel(t: CookieTuple) {
  return {
    client: { address: t.client.address, port: t.client.port },
    server: { address: t.server.address, port: t.server.port },
  };
}

function classicBlock(cookie: number): SequenceCookie["classic"] {
  const c = decodeClassic(cookie);
  return {
    ...c,
    fields: [
      {
        name: "t mod 32",
        msb: 31,
        lsb: 27,
        value: c.tMod32,
        meaning: "64-second counter modulo 32",
      },
      {
        name: "MSS index",
        msb: 26,
        lsb: 24,
        value: c.mssIndex,
        meaning: "index into an 8-entry MSS table",
      },
      {
        name: "hash",
        msb: 23,
        lsb: 0,
        value: c.hash,
        meaning: "24-bit keyed hash of addresses, ports and t",
      },
    ],
    note: CLASSIC_NOTE,
  };
}

/** check_tcp_syn_cookie, recomputed, as a report block. */
export function linuxVerification(
  tuple: CookieTuple,
  isn: number,
  secret: SyncookieSecret,
  endian: HostEndian,
  cookie: number,
  time: CookieTime,
): LinuxVerification {
  const d = decodeLinuxCookie({ tuple, isn, secret, endian }, cookie, time.count);
  const nowLow8 = time.count & 0xff;
  let verdict: string;
  if (d.valid) {
    const age = d.diff === 0 ? "this minute" : "the minute before";
    verdict = `valid: made at counter ${d.issuedAtCount} (${age}), MSS index ${d.mssIndex} = ${d.mss}`;
  } else if (d.issuedAtCount === null) {
    verdict = `not valid: its counter bits say ${d.countLow8} (mod 256) but the counter is ${time.count} (${nowLow8} mod 256); a cookie is accepted for MAX_SYNCOOKIE_AGE = ${MAX_SYNCOOKIE_AGE} counter values (60-120 s). Too old, from another host, or the wrong tuple/ISN/secret`;
  } else {
    verdict = `not valid: after removing H1 the data is ${d.data} (0x${d.data.toString(16)}), not an MSS index 0-3: wrong tuple, ISN or secret, or not a cookie`;
  }
  const fields: BitField[] = [
    {
      name: "count mod 256",
      msb: 31,
      lsb: COOKIEBITS,
      value: d.countLow8,
      meaning: `low 8 bits of the counter it was made at (now ${nowLow8})`,
    },
    {
      name: "H1 + mssind",
      msb: COOKIEBITS - 1,
      lsb: 0,
      value: d.stripped & COOKIEMASK,
      meaning:
        d.h1 === null
          ? "(H1(count) + mssind) mod 2^24; not checked, counter out of range"
          : `(H1(${d.issuedAtCount}) = ${hex32(d.h1)}) + mssind; minus H1 leaves ${d.data}`,
    },
  ];
  return {
    family: tuple.family,
    ...endpointModel(tuple),
    isn,
    hostEndian: endian,
    count: time,
    h0: d.h0,
    stripped: d.stripped,
    countLow8: d.countLow8,
    diff: d.diff,
    issuedAtCount: d.issuedAtCount,
    ageMinutes: d.diff,
    h1: d.h1,
    data: d.data,
    mssIndex: d.mssIndex,
    mss: d.mss,
    valid: d.valid,
    verdict,
    fields,
  };
}

function neededFlags(req: CookieRequest): string[] {
  const needs: string[] = [];
  if (!req.tuple) needs.push("--client", "--server");
  if (req.isn === null) needs.push("--isn");
  if (!req.secret) {
    needs.push(
      req.kernel ? "--secret (the running kernel's verdict is below)" : "--secret or --kernel",
    );
  }
  return needs;
}

function timestampBlock(
  tsval: number,
  tsOffset: number | null,
  localTs: number | null,
): TimestampCookie {
  const d = cookieTimestampDecode(tsval, tsOffset ?? 0);
  let note: string;
  if (tsOffset !== null) {
    note = `Offset ${tsOffset} removed: ts = TSval − ts_off = ${d.ts}.`;
  } else {
    note =
      "Assumes the server had net.ipv4.tcp_timestamps=2, which sends TSval without offset. With tcp_timestamps=1 (the default) Linux adds a secret per-host-pair offset to every TSval and these bits cannot be read from the wire; pass --ts-offset if you know it.";
    if (localTs === 1) {
      note +=
        " This host's netns has tcp_timestamps=1: if the SYN-ACK came from here, the bits are hidden.";
    }
  }
  note +=
    " Only a cookie SYN-ACK (cookie_init_timestamp) puts options here; in any other TSval the low 6 bits are just clock.";
  return {
    tsval,
    tsOffset: tsOffset ?? 0,
    tsOffsetSource: tsOffset === null ? "assumed-zero" : "flag",
    ts: d.ts,
    options: d.options,
    wscaleRaw: d.wscaleRaw,
    wscale: d.wscale,
    sack: d.sack,
    ecn: d.ecn,
    timeBits: d.timeBits,
    fields: [
      {
        name: "timestamp",
        msb: 31,
        lsb: 6,
        value: d.timeBits,
        meaning: `ms clock / 64 (≈ ${d.timeBits * 64} ms)`,
      },
      {
        name: "ECN",
        msb: 5,
        lsb: 5,
        value: d.ecn ? 1 : 0,
        meaning: d.ecn ? "SYN asked for ECN" : "no ECN",
      },
      {
        name: "SACK",
        msb: 4,
        lsb: 4,
        value: d.sack ? 1 : 0,
        meaning: d.sack ? "SYN offered SACK" : "no SACK",
      },
      {
        name: "WScale",
        msb: 3,
        lsb: 0,
        value: d.wscaleRaw,
        meaning:
          d.wscaleRaw === TS_OPT_WSCALE_MASK
            ? "0xF: the SYN had no window-scale option"
            : `window scale ${d.wscaleRaw} (×${2 ** d.wscaleRaw})`,
      },
    ],
    note,
  };
}

function kernelBlock(
  req: CookieRequest,
  answer: OracleAnswer,
  time: CookieTime | null,
  rel: string,
): KernelAnswer {
  const tuple = req.tuple as CookieTuple;
  const tab = msstab[tuple.family];
  let check: KernelAnswer["check"] = null;
  if (answer.check) {
    const c = answer.check;
    const mss = c.mssIndex === null ? null : (tab[c.mssIndex] as number);
    let verdict: string;
    if (c.valid && c.issuedThisMinute) {
      verdict = `valid now: this kernel issued it this minute, MSS index ${c.mssIndex} = ${mss}`;
    } else if (c.valid) {
      verdict = "valid now: issued in the previous minute (the kernel would still accept this ACK)";
    } else {
      verdict = `not valid now: __cookie_${tuple.family === "ipv4" ? "v4" : "v6"}_check rejects it (expired, altered, another tuple/ISN, or another host's secret)`;
    }
    check = {
      cookie: c.cookie,
      hex: hex32(c.cookie),
      ack: c.ack,
      valid: c.valid,
      issuedThisMinute: c.issuedThisMinute,
      mssIndex: c.mssIndex,
      mss,
      verdict,
    };
  }
  return {
    family: tuple.family,
    ...endpointModel(tuple),
    isn: req.isn as number,
    kernelRelease: rel,
    jiffies64: Number(answer.jiffies64),
    count: time,
    generated: { ...answer.generated, hex: hex32(answer.generated.cookie) },
    perIndex: answer.perIndex.map((p) => ({ ...p, hex: hex32(p.cookie) })),
    check,
  };
}

/** Builds the whole report; validated against the zod schema before it is returned. */
export async function buildCookieReport(
  req: CookieRequest,
  deps: CookieReportDeps = systemDeps,
): Promise<CookieReport> {
  let kernel: KernelAnswer | null = null;
  let kernelTime: CookieTime | null = null;
  if (req.kernel) {
    const hz = await deps.readKernelHz();
    const tuple = req.tuple as CookieTuple;
    const answer = await deps.askKernel(
      { tuple, isn: req.isn as number, cookie: req.cookie?.value ?? null, synMss: req.synMss },
      hz?.hz ?? null,
    );
    if (hz) {
      kernelTime = cookieTimeFromJiffies(
        answer.jiffies64,
        hz.hz,
        hz.source,
        "bpf_jiffies64",
        true,
        "from the kernel (bpf_jiffies64)",
      );
    }
    kernel = kernelBlock(req, answer, kernelTime, deps.kernelRelease());
  }

  let time: CookieTime | null = null;
  const needTime = req.secret !== null && (req.cookie !== null || req.encode !== null);
  if (needTime) {
    time =
      req.count !== null
        ? cookieTimeFromFlag(req.count)
        : (kernelTime ?? (await deps.readCookieTime()));
  }

  let sequence: SequenceCookie | null = null;
  if (req.encode) {
    const tuple = req.tuple as CookieTuple;
    const t = time as CookieTime;
    const input = {
      tuple,
      isn: req.isn as number,
      secret: req.secret as SyncookieSecret,
      endian: req.endian,
    };
    const cookie = secureTcpSynCookie(input, t.count, req.encode.mssIndex);
    sequence = {
      cookie,
      hex: hex32(cookie),
      source: "encode",
      ack: null,
      encoded: {
        mssIndex: req.encode.mssIndex,
        mss: msstab[tuple.family][req.encode.mssIndex] as number,
        count: t,
      },
      classic: classicBlock(cookie),
      linux: {
        formula: LINUX_FORMULA,
        note: LINUX_NOTE,
        verification: linuxVerification(tuple, input.isn, input.secret, req.endian, cookie, t),
        needs: [],
      },
    };
  } else if (req.cookie) {
    const verification =
      req.secret && req.tuple && req.isn !== null && time
        ? linuxVerification(req.tuple, req.isn, req.secret, req.endian, req.cookie.value, time)
        : null;
    sequence = {
      cookie: req.cookie.value,
      hex: hex32(req.cookie.value),
      source: req.cookie.source,
      ack: req.cookie.ack,
      encoded: null,
      classic: classicBlock(req.cookie.value),
      linux: {
        formula: LINUX_FORMULA,
        note: LINUX_NOTE,
        verification,
        needs: verification ? [] : neededFlags(req),
      },
    };
  }

  const timestamp =
    req.tsval === null ? null : timestampBlock(req.tsval, req.tsOffset, deps.localTcpTimestamps());

  // Validated against CookieReportSchema where it becomes JSON (the command), not here:
  // the human view need not pay for loading zod.
  return { schemaVersion: COOKIE_SCHEMA_VERSION, sequence, timestamp, kernel };
}

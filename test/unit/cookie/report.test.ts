import { describe, expect, it } from "vitest";
import { cookieTimeFromFlag } from "../../../src/cookie/cookie-time.js";
import type { OracleAnswer } from "../../../src/cookie/kernel-oracle.js";
import { buildCookieReport, type CookieReportDeps } from "../../../src/cookie/report.js";
import { parseCookieRequest } from "../../../src/cookie/request.js";
import { CookieReportSchema } from "../../../src/model/cookie.js";

const SECRET = "000102030405060708090a0b0c0d0e0f08090a0b0c0d0e0f0001020304050607";
const tuple = { client: "10.0.0.1:40000", server: "10.0.0.2:80", isn: "0x11223344" };

/** Fake system: counter 1000, HZ 250, a kernel that answers from a fixed table. */
function deps(answer?: OracleAnswer): CookieReportDeps {
  return {
    readCookieTime: async () => cookieTimeFromFlag(1000),
    readKernelHz: async () => ({ hz: 250, source: "/proc/config.gz" }),
    askKernel: async () => {
      if (!answer) throw new Error("kernel not expected");
      return answer;
    },
    localTcpTimestamps: () => 2,
    kernelRelease: () => "6.18.0-test",
  };
}

describe("buildCookieReport", () => {
  it("decodes a bare number: classic fields, Linux explained, nothing verified", async () => {
    const r = await buildCookieReport(parseCookieRequest({ seq: "0xa3242733" }), deps());
    expect(CookieReportSchema.parse(r)).toEqual(r);
    expect(r.schemaVersion).toBe(1);
    expect(r.sequence?.classic).toMatchObject({ tMod32: 20, mssIndex: 3, hash: 0x242733 });
    expect(r.sequence?.linux.verification).toBeNull();
    expect(r.sequence?.linux.needs).toEqual([
      "--client",
      "--server",
      "--isn",
      "--secret or --kernel",
    ]);
    expect(r.sequence?.linux.note).toMatch(/hidden under keyed hashes/);
    expect(r.timestamp).toBeNull();
    expect(r.kernel).toBeNull();
  });

  it("verifies the worked example with --secret, the counter read from the system", async () => {
    const r = await buildCookieReport(
      parseCookieRequest({ seq: "0xa3242733", ...tuple, secret: SECRET }),
      deps(),
    );
    const v = r.sequence?.linux.verification;
    expect(v).toMatchObject({
      h0: 0xa99254ae,
      h1: 0x416f9f3e,
      issuedAtCount: 1000,
      ageMinutes: 0,
      mssIndex: 3,
      mss: 1460,
      valid: true,
    });
    expect(v?.verdict).toMatch(/^valid/);
    expect(v?.fields.map((f) => f.name)).toEqual(["count mod 256", "H1 + mssind"]);
  });

  it("explains an expired cookie and an ACK's ack − 1", async () => {
    const r = await buildCookieReport(
      parseCookieRequest({ ack: String(0xa3242734), ...tuple, secret: SECRET, count: "1002" }),
      deps(),
    );
    expect(r.sequence).toMatchObject({ cookie: 0xa3242733, source: "ack", ack: 0xa3242734 });
    expect(r.sequence?.linux.verification).toMatchObject({
      valid: false,
      diff: 2,
      issuedAtCount: null,
    });
    expect(r.sequence?.linux.verification?.verdict).toMatch(/^not valid/);
  });

  it("encodes, and the report decodes its own cookie", async () => {
    const r = await buildCookieReport(
      parseCookieRequest({ encode: true, mssIndex: "3", ...tuple, secret: SECRET, count: "1000" }),
      deps(),
    );
    expect(r.sequence).toMatchObject({ cookie: 0xa3242733, hex: "0xa3242733", source: "encode" });
    expect(r.sequence?.encoded).toMatchObject({ mssIndex: 3, mss: 1460 });
    expect(r.sequence?.linux.verification?.valid).toBe(true);
  });

  it("decodes --tsval and says when the bits are an assumption", async () => {
    const r = await buildCookieReport(parseCookieRequest({ tsval: String(0xa20850a7) }), deps());
    expect(r.timestamp).toMatchObject({
      wscale: 7,
      sack: false,
      ecn: true,
      tsOffsetSource: "assumed-zero",
    });
    expect(r.timestamp?.note).toMatch(/tcp_timestamps=2/);
    const withOff = await buildCookieReport(
      parseCookieRequest({ tsval: String(0xa20850a7 + 0x10), tsOffset: "16" }),
      deps(),
    );
    expect(withOff.timestamp).toMatchObject({ ts: 0xa20850a7, tsOffsetSource: "flag", wscale: 7 });
  });

  it("reports the kernel's answers with its counter", async () => {
    const answer: OracleAnswer = {
      jiffies64: 15000n * 286400n + 750n,
      generated: { cookie: 0x10, mss: 1460, mssIndex: 3, synMss: 1460 },
      perIndex: [0, 1, 2, 3].map((i) => ({
        cookie: 0x0d + i,
        mss: [536, 1300, 1440, 1460][i] as number,
        mssIndex: i,
      })),
      check: {
        cookie: 0x0f,
        ack: 0x10,
        valid: true,
        errno: 0,
        mssIndex: 2,
        issuedThisMinute: true,
      },
    };
    const r = await buildCookieReport(
      parseCookieRequest({ kernel: true, seq: "0x0f", ...tuple, mss: "1460" }),
      deps(answer),
    );
    expect(r.kernel).toMatchObject({
      kernelRelease: "6.18.0-test",
      count: { count: 286400, source: "bpf_jiffies64", exact: true, secondsIntoMinute: 3 },
      generated: { cookie: 0x10, hex: "0x00000010", mss: 1460 },
      check: { valid: true, issuedThisMinute: true, mssIndex: 2, mss: 1440 },
    });
    expect(r.kernel?.check?.verdict).toMatch(/^valid now/);
    expect(r.sequence?.linux.needs).toEqual(["--secret (the running kernel's verdict is below)"]);
  });
});

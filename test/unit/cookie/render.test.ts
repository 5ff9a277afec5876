import { describe, expect, it } from "vitest";
import { cookieTimeFromFlag } from "../../../src/cookie/cookie-time.js";
import { buildCookieReport, type CookieReportDeps } from "../../../src/cookie/report.js";
import { parseCookieRequest } from "../../../src/cookie/request.js";
import { drawBits, renderCookieReport } from "../../../src/render/cookie.js";

const deps: CookieReportDeps = {
  readCookieTime: async () => cookieTimeFromFlag(1000),
  readKernelHz: async () => null,
  askKernel: async () => {
    throw new Error("not used");
  },
  localTcpTimestamps: () => null,
  kernelRelease: () => "test",
};

describe("drawBits", () => {
  const fields = [
    { name: "t mod 32", msb: 31, lsb: 27, value: 20, meaning: "counter" },
    { name: "MSS index", msb: 26, lsb: 24, value: 3, meaning: "mss" },
    { name: "hash", msb: 23, lsb: 0, value: 0x242733, meaning: "hash" },
  ];

  it("draws all 32 bits, msb first, boxed per field, with a lettered legend", () => {
    const lines = drawBits(0xa3242733, fields, "");
    expect(lines[0]).toMatch(/^\s+31\s+27\s+26 24\s+23\s+0$/);
    expect(lines[1]?.startsWith("┌")).toBe(true);
    const bits = (lines[2] ?? "").replace(/[^01]/g, "");
    expect(bits).toBe((0xa3242733).toString(2).padStart(32, "0"));
    expect(lines[2]?.split("│")).toHaveLength(5);
    expect(lines[4]?.trim().split(/\s+/)).toEqual(["A", "B", "C"]);
    expect(lines[5]).toMatch(/^A {2}t mod 32 +bits 31-27 +=/);
    expect(lines[7]).toContain("2369331 (0x242733)");
    // Every box line has the same width.
    expect(new Set(lines.slice(1, 4).map((l) => [...l].length)).size).toBe(1);
  });

  it("labels single-bit fields", () => {
    const lines = drawBits(0x20, [
      { name: "rest", msb: 31, lsb: 6, value: 0, meaning: "" },
      { name: "ECN", msb: 5, lsb: 5, value: 1, meaning: "" },
      { name: "low", msb: 4, lsb: 0, value: 0, meaning: "" },
    ]);
    expect(lines.join("\n")).toContain("bit 5");
    expect(lines[2]).toContain("│ 1 │");
  });
});

const oneSpaced = (r: Parameters<typeof renderCookieReport>[0]) =>
  renderCookieReport(r).replace(/\s+/g, " ");

describe("renderCookieReport", () => {
  it("shows the classic drawing, the Linux explanation and what to add", async () => {
    const text = renderCookieReport(
      await buildCookieReport(parseCookieRequest({ seq: "0xa3242733" }), deps),
    ).replace(/\s+/g, " ");
    expect(text).toContain("Cookie 0xa3242733 = 2737055539");
    expect(text).toContain("Classic layout");
    expect(text).toContain("hidden under keyed hashes");
    expect(text).toContain(
      "To verify it here, add: --client, --server, --isn, --secret or --kernel",
    );
  });

  it("shows the verification and the timestamp options", async () => {
    const text = oneSpaced(
      await buildCookieReport(
        parseCookieRequest({
          seq: "0xa3242733",
          client: "10.0.0.1:40000",
          server: "10.0.0.2:80",
          isn: "0x11223344",
          secret: "000102030405060708090a0b0c0d0e0f08090a0b0c0d0e0f0001020304050607",
          tsval: String(0xa20850a7),
        }),
        deps,
      ),
    );
    expect(text).toContain("H0 = 0xa99254ae");
    expect(text).toContain("→ valid: made at counter 1000 (this minute), MSS index 3 = 1460");
    expect(text).toContain("→ window scale 7, SACK no, ECN yes");
  });
});

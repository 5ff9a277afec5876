import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CookieReportSchema } from "../../src/model/cookie.js";
import { expectOneLineErrorBothWays } from "../helpers/one-line-error.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// The CLI as users run it: `node bin/run.js` on the build in dist/ (npm test builds first).
const BIN = fileURLToPath(new URL("../../bin/run.js", import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL("../../dist/index.js", import.meta.url)));
const SECRET = "000102030405060708090a0b0c0d0e0f08090a0b0c0d0e0f0001020304050607";
const TUPLE = ["--client", "10.0.0.1:40000", "--server", "10.0.0.2:80", "--isn", "0x11223344"];

function synq(args: string[], asNobody = false) {
  const [cmd, argv] = asNobody
    ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN]]
    : [process.execPath, [BIN]];
  const r = spawnSync(cmd as string, [...(argv as string[]), "decode-cookie", ...args], {
    encoding: "utf8",
    // A normal user has a HOME of their own (oclif looks there for user plugins).
    env: { ...process.env, NO_COLOR: "1", SYNQ_DEBUG: "", ...(asNobody ? { HOME: "/tmp" } : {}) },
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(missing(BUILT, "dist/ (run npm run build first)"))(
  "synq decode-cookie (CLI)",
  () => {
    describe("bad input: one line on stderr, exit code 3, no stack trace", () => {
      it.each([
        ["negative", ["-5"], "is negative"],
        ["negative hex", ["--", "-0x5"], "is negative"],
        ["above 2^32-1", ["4294967296"], "is larger than 4294967295"],
        ["far above", ["0x1ffffffff"], "is larger than 4294967295"],
        ["text", ["hello"], "is not a number"],
        ["half hex", ["0xg1"], "is not a number"],
        ["negative --ack", ["--ack", "-1"], "--ack"],
        ["text --tsval", ["--tsval", "abc"], "--tsval"],
        [
          "huge --isn",
          ["1", ...TUPLE.slice(0, 4), "--isn", "99999999999", "--secret", SECRET],
          "--isn",
        ],
        ["only --client", ["1", "--client", "10.0.0.1:1"], "--server is missing"],
        ["only --server", ["1", "--server", "10.0.0.1:1"], "--client is missing"],
        ["no --isn", ["1", ...TUPLE.slice(0, 4), "--secret", SECRET], "--isn is missing"],
        ["no --secret", ["1", ...TUPLE], "--secret is missing"],
        ["no port", ["1", "--client", "10.0.0.1", "--server", "10.0.0.2:80"], "--client"],
        ["bad address", ["1", "--client", "10.0.0.300:1", "--server", "10.0.0.2:80"], "--client"],
        [
          "mixed families",
          ["1", "--client", "10.0.0.1:1", "--server", "[::1]:80", "--isn", "1"],
          "ipv6",
        ],
        ["short secret", ["1", ...TUPLE, "--secret", "abcd"], "--secret has 4 hex digits"],
        ["encode without mss", ["--encode", ...TUPLE, "--secret", SECRET], "--mss-index"],
        [
          "mss index 4",
          ["--encode", "--mss-index", "4", ...TUPLE, "--secret", SECRET],
          "--mss-index",
        ],
        ["nothing", [], "nothing to decode"],
        ["kernel without tuple", ["--kernel", "1"], "--client and --server are missing"],
      ])("%s", (_name, args, text) => {
        expectOneLineErrorBothWays((a) => synq(a), args, 3, new RegExp(escapeRegExp(text)));
      });
    });

    it.skipIf(missing(!isRoot || hasTool("setpriv"), "setpriv, to run as nobody"))(
      "--kernel as a normal user: one line, exit code 5",
      () => {
        expectOneLineErrorBothWays(
          (a) => synq(a, isRoot),
          ["--kernel", "1", ...TUPLE],
          5,
          /^synq: --kernel loads a BPF program, which needs root; rerun with sudo \(or drop --kernel and verify with --secret\)$/,
        );
      },
    );

    it("decodes the worked example (KERNEL-FACTS §1) and prints the layouts", () => {
      const r = synq(["0xa3242733", ...TUPLE, "--count", "1000", "--secret", SECRET]);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("Classic layout");
      expect(r.stdout).toContain("│ 1 0 1 0 0 │ 0 1 1 │");
      expect(r.stdout).toContain("H0 = 0xa99254ae");
      expect(r.stdout).toContain("→ valid: made at counter 1000 (this minute), MSS index 3 = 1460");
    });

    it("--json prints only the schema-valid payload", () => {
      const r = synq([
        "--ack",
        String(0xa3242734),
        ...TUPLE,
        "--count",
        "1001",
        "--secret",
        SECRET,
        "--json",
      ]);
      expect(r.status).toBe(0);
      const report = CookieReportSchema.parse(JSON.parse(r.stdout));
      expect(report.sequence?.linux.verification).toMatchObject({
        valid: true,
        diff: 1,
        mssIndex: 3,
      });
    });

    it("--encode round-trips with the decoder, IPv4 and IPv6", () => {
      for (const [client, server, mss, idx] of [
        ["10.1.2.3:5555", "10.9.8.7:443", "1300", 1],
        ["[2001:db8::10]:5555", "[2001:db8::20]:443", "9000", 3],
      ] as const) {
        const common = [
          "--client",
          client,
          "--server",
          server,
          "--isn",
          "123456",
          "--count",
          "286400",
        ];
        const enc = synq(["--encode", "--mss", mss, ...common, "--secret", SECRET, "--json"]);
        expect(enc.status).toBe(0);
        const cookie = CookieReportSchema.parse(JSON.parse(enc.stdout)).sequence?.cookie as number;
        const dec = synq([String(cookie), ...common, "--secret", SECRET, "--json"]);
        const v = CookieReportSchema.parse(JSON.parse(dec.stdout)).sequence?.linux.verification;
        expect(v).toMatchObject({ valid: true, mssIndex: idx, issuedAtCount: 286400 });
      }
    });

    it("--tsval decodes the option bits", () => {
      const r = synq(["--tsval", "0xa20850a7", "--json"]);
      expect(CookieReportSchema.parse(JSON.parse(r.stdout)).timestamp).toMatchObject({
        wscale: 7,
        sack: false,
        ecn: true,
      });
    });
  },
);

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  assertOracleUsable,
  ORACLE_MAP,
  ORACLE_PROGRAM,
  parseSyncookieResult,
  SYNCOOKIE_OP,
  SYNCOOKIE_RESULT,
} from "../../../src/cookie/kernel-oracle.js";
import type { SynqError } from "../../../src/errors.js";
import { hasTool, missing } from "../../helpers/prerequisites.js";

const BPF_DIR = fileURLToPath(new URL("../../../bpf/", import.meta.url));

describe("struct syncookie_result: TS offsets match the C side", () => {
  it.skipIf(missing(hasTool("bpftool"), "bpftool"))(
    "matches the BTF of the committed bpf/syncookie.bpf.o",
    () => {
      const dump = JSON.parse(
        execFileSync("bpftool", ["-j", "btf", "dump", "file", `${BPF_DIR}syncookie.bpf.o`], {
          encoding: "utf8",
        }),
      ) as {
        types: {
          name?: string;
          size?: number;
          members?: { name: string; bits_offset: number }[];
        }[];
      };
      const struct = dump.types.find((t) => t.name === "syncookie_result");
      expect(struct?.size).toBe(SYNCOOKIE_RESULT.size);
      const offsets = Object.fromEntries(
        (struct?.members ?? []).map((m) => [m.name, m.bits_offset / 8]),
      );
      expect(offsets).toEqual({
        gen: SYNCOOKIE_RESULT.gen,
        jiffies: SYNCOOKIE_RESULT.jiffies,
        check: SYNCOOKIE_RESULT.check,
        op: SYNCOOKIE_RESULT.op,
      });
      const names = dump.types.map((t) => t.name);
      expect(names).toContain(ORACLE_PROGRAM);
      expect(names).toContain(ORACLE_MAP);
    },
  );

  it("matches the SYNCOOKIE_OP_* defines of bpf/syncookie.h", () => {
    const header = readFileSync(`${BPF_DIR}syncookie.h`, "utf8");
    const defines = Object.fromEntries(
      [...header.matchAll(/#define SYNCOOKIE_OP_(\w+) (\d+)/g)].map((m) => [m[1], Number(m[2])]),
    );
    expect(defines).toEqual(SYNCOOKIE_OP);
  });

  it("reads a result in host byte order", () => {
    const bytes = new Uint8Array(24);
    const v = new DataView(bytes.buffer);
    v.setBigInt64(0, (1460n << 32n) | 0xd5e57010n, true);
    v.setBigUint64(8, 4295002355n, true);
    v.setInt32(16, -13, true);
    v.setUint32(20, 2, true);
    expect(parseSyncookieResult(bytes)).toEqual({
      gen: (1460n << 32n) | 0xd5e57010n,
      jiffies: 4295002355n,
      check: -13,
      op: SYNCOOKIE_OP.CHECK,
    });
  });
});

describe("assertOracleUsable", () => {
  it("needs root", () => {
    expect(() => assertOracleUsable("6.18.0", 1000)).toThrow(/needs root/);
    try {
      assertOracleUsable("6.18.0", 1000);
    } catch (err) {
      expect((err as SynqError).exitCode).toBe(5);
    }
  });

  it("needs Linux 6.0 for the bpf_tcp_raw_*_syncookie helpers", () => {
    expect(() => assertOracleUsable("5.15.0-91-generic", 0)).toThrow(/6\.0/);
    try {
      assertOracleUsable("5.10.0", 0);
    } catch (err) {
      expect((err as SynqError).exitCode).toBe(6);
    }
    expect(() => assertOracleUsable("6.1.0-31-amd64", 0)).not.toThrow();
  });
});

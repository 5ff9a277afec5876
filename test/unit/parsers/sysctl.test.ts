import { describe, expect, it } from "vitest";
import { parseSysctlOutput, sysctlInt } from "../../../src/parsers/sysctl.js";

describe("parseSysctlOutput", () => {
  it("reads key = value lines", () => {
    const m = parseSysctlOutput("net.core.somaxconn = 4096\nnet.ipv4.tcp_syncookies = 1\n");
    expect(sysctlInt(m, "net.core.somaxconn")).toBe(4096);
    expect(sysctlInt(m, "net.ipv4.tcp_syncookies")).toBe(1);
    expect(sysctlInt(m, "net.ipv4.tcp_migrate_req")).toBeNull();
  });

  it("rejects lines without ` = ` and non-integers", () => {
    expect(() => parseSysctlOutput("what\n")).toThrow(/sysctl line 1/);
    expect(() => sysctlInt(new Map([["a.b", "x"]]), "a.b")).toThrow(/\/proc\/sys\/a\/b/);
  });
});

import { describe, expect, it } from "vitest";
import { SynqError } from "../../../src/errors.js";
import {
  assertBtf,
  assertPrivileges,
  cgroup2MountPoint,
  effectiveCapabilities,
  kallsymsTextSymbols,
  readKernelFeatures,
} from "../../../src/trace/kernel-features.js";
import { RECV_SOCK_PARAMS } from "../../../src/trace/strategy.js";

const bit = (n: number) => 1n << BigInt(n);
const ALL = effectiveCapabilities("CapEff:\t000001ffffffffff\n");

describe("privileges", () => {
  it("reads CapEff", () => {
    expect(effectiveCapabilities("Name:\tnode\nCapEff:\t0000000000003000\n")).toBe(0x3000n);
    expect(effectiveCapabilities("no caps line")).toBe(0n);
  });

  it("accepts CAP_BPF + CAP_PERFMON, or CAP_SYS_ADMIN, and CAP_NET_ADMIN for tc", () => {
    expect(() => assertPrivileges(ALL, 0, true)).not.toThrow();
    expect(() => assertPrivileges(bit(39) | bit(38), 0, false)).not.toThrow();
    expect(() => assertPrivileges(bit(21), 1000, false)).not.toThrow();
    expect(() => assertPrivileges(bit(21) | bit(12), 0, true)).not.toThrow();
  });

  it("tells a user to use sudo, and root in a container which capabilities it lacks", () => {
    try {
      assertPrivileges(0n, 1000, false);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SynqError);
      expect((e as SynqError).exitCode).toBe(5);
      expect((e as SynqError).oneLine()).toMatch(/needs root .*; rerun with sudo$/);
    }
    expect(() => assertPrivileges(bit(39) | bit(38), 0, true)).toThrow(
      /runs as root but without CAP_NET_ADMIN/,
    );
    expect(() => assertPrivileges(bit(12), 0, false)).toThrow(/without CAP_BPF and CAP_PERFMON/);
  });

  it("refuses a kernel without BTF with the fix", () => {
    try {
      assertBtf("/nonexistent/vmlinux");
      expect.unreachable();
    } catch (e) {
      expect((e as SynqError).exitCode).toBe(6);
      expect((e as SynqError).oneLine()).toMatch(
        /no BTF .*; boot a kernel .*CONFIG_DEBUG_INFO_BTF=y/,
      );
    }
  });
});

describe("kernel files", () => {
  it("finds text symbols in kallsyms, modules included", () => {
    const text = [
      "ffffffff82024200 T tcp_conn_request",
      "ffffffff82034bc0 t tcp_v4_syn_recv_sock",
      "ffffffffc0123000 t tcp_v6_syn_recv_sock\t[ipv6]",
      "ffffffff83000000 D tcp_hashinfo",
    ].join("\n");
    expect(
      kallsymsTextSymbols(text, [
        "tcp_conn_request",
        "tcp_v4_syn_recv_sock",
        "tcp_v6_syn_recv_sock",
        "tcp_hashinfo",
      ]),
    ).toEqual({
      tcp_conn_request: true,
      tcp_v4_syn_recv_sock: true,
      tcp_v6_syn_recv_sock: true,
      tcp_hashinfo: false,
    });
  });

  it("finds the root of the cgroup v2 hierarchy in mountinfo", () => {
    const hybrid = [
      "30 24 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw",
      "31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
      "40 30 0:35 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
    ].join("\n");
    expect(cgroup2MountPoint(hybrid)).toBe("/sys/fs/cgroup/unified");
    // A container sees a sub-tree only: not the root, so not every socket.
    expect(
      cgroup2MountPoint("50 40 0:35 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw"),
    ).toBeNull();
    expect(cgroup2MountPoint("")).toBeNull();
  });
});

describe("the running kernel's BTF", () => {
  it("gives syn_recv_sock's parameter count, which picks the fexit program", () => {
    const f = readKernelFeatures();
    expect(f.btfFunctions.tcp_v4_syn_recv_sock).toBe(true);
    expect(RECV_SOCK_PARAMS).toContain(f.recvSockParams.v4);
  });
});

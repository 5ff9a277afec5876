import { describe, expect, it } from "vitest";
import { synQueueLimit, synQueueRule } from "../../../src/kernel/syn-queue-limit.js";
import { parseKernelRelease, upstreamKernelVersion } from "../../../src/kernel/version.js";

const rule = (release: string) => {
  const v = parseKernelRelease(release);
  if (!v) throw new Error(release);
  return synQueueRule(v);
};

describe("synQueueRule", () => {
  it.each([
    ["3.10.0-1160.el7.x86_64", "pre-4.4-table"],
    ["4.4.0", "backlog"],
    ["5.10.100", "backlog"],
    ["5.10.233", "backlog-plus-one"],
    ["6.1.0-9-amd64", "backlog"], // Debian's ABI name, not the upstream patch level
    ["6.1.124", "backlog"],
    ["6.1.125", "backlog-plus-one"],
    ["6.6.71", "backlog"],
    ["6.6.72", "backlog-plus-one"],
    ["6.12.9", "backlog"],
    ["6.12.10", "backlog-plus-one"],
    ["6.13.0", "backlog-plus-one"],
    ["6.18.44-fc-v669", "backlog-plus-one"],
  ])("%s → %s", (release, expected) => {
    expect(rule(release)).toBe(expected);
  });
});

describe("synQueueLimit", () => {
  it("is the backlog, or backlog + 1 after the 2025 fix", () => {
    expect(synQueueLimit("backlog", 4, 1, 2048)).toBe(4);
    expect(synQueueLimit("backlog-plus-one", 4, 1, 2048)).toBe(5);
  });

  it("applies the last-quarter rule of tcp_max_syn_backlog when cookies are off", () => {
    // drop once max_syn_backlog - qlen < max_syn_backlog >> 2: 128 - qlen < 32 ⇔ qlen > 96.
    expect(synQueueLimit("backlog-plus-one", 4096, 0, 128)).toBe(97);
    expect(synQueueLimit("backlog-plus-one", 4096, 1, 128)).toBe(4097);
  });

  it("uses the pre-4.4 power-of-two table", () => {
    expect(synQueueLimit("pre-4.4-table", 4, 1, 2048)).toBe(16); // max(8, 4) + 1 → 16
    expect(synQueueLimit("pre-4.4-table", 511, 1, 256)).toBe(512); // min(511, 256) + 1 → 512
  });
});

describe("upstreamKernelVersion", () => {
  it("reads Debian's patch level from uname -v", () => {
    expect(
      upstreamKernelVersion(
        "6.1.0-31-amd64",
        "#1 SMP PREEMPT_DYNAMIC Debian 6.1.128-1 (2025-02-07)",
        null,
      ),
    ).toEqual([6, 1, 128]);
  });
  it("reads Ubuntu's from /proc/version_signature", () => {
    expect(
      upstreamKernelVersion(
        "5.15.0-91-generic",
        "#101-Ubuntu SMP",
        "Ubuntu 5.15.0-91.101-generic 5.15.131\n",
      ),
    ).toEqual([5, 15, 131]);
  });
  it("falls back to uname -r", () => {
    expect(upstreamKernelVersion("6.18.44-fc-v669", "#1 SMP PREEMPT_DYNAMIC @0", null)).toEqual([
      6, 18, 44,
    ]);
    expect(upstreamKernelVersion("garbage", "", null)).toBeNull();
  });
});

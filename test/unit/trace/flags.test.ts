import { describe, expect, it } from "vitest";
import { parseTraceFlags } from "../../../src/trace/flags.js";

describe("trace-drops flags", () => {
  it("defaults: auto, every drop reason, no cookies, no limit, peaks kept", () => {
    expect(parseTraceFlags({})).toEqual({
      strategy: "auto",
      port: null,
      netns: null,
      reasons: ["accept-queue-full", "accept-queue-full-ack", "syn-queue-full"],
      interfaces: [],
      tcHook: "auto",
      cgroup: null,
      durationSeconds: null,
      summaryOnly: false,
      peaks: true,
      json: false,
      verbose: false,
      maxEventsPerSec: 0,
      ringBufferKb: 1024,
    });
  });

  it("--cookies adds cookie-sent; --reason narrows, in the kernel's order", () => {
    expect(parseTraceFlags({ cookies: true }).reasons).toContain("cookie-sent");
    expect(parseTraceFlags({ reason: ["syn-queue-full", "accept-queue-full"] }).reasons).toEqual([
      "accept-queue-full",
      "syn-queue-full",
    ]);
  });

  it("--tc-hook chooses the tc strategy's ingress hook", () => {
    expect(parseTraceFlags({ strategy: "tc", "tc-hook": "clsact" }).tcHook).toBe("clsact");
    expect(parseTraceFlags({ "tc-hook": "tcx" }).tcHook).toBe("tcx");
  });

  it("--cgroup implies the cgroup strategy", () => {
    expect(parseTraceFlags({ cgroup: "web" })).toMatchObject({ strategy: "cgroup", cgroup: "web" });
    expect(parseTraceFlags({ strategy: "cgroup", cgroup: "/sys/fs/cgroup/web" }).cgroup).toBe(
      "/sys/fs/cgroup/web",
    );
  });

  it("--interface and a chosen --tc-hook imply the tc strategy (auto would ignore them)", () => {
    expect(parseTraceFlags({ interface: ["eth0"] })).toMatchObject({
      strategy: "tc",
      interfaces: ["eth0"],
    });
    expect(parseTraceFlags({ "tc-hook": "clsact" })).toMatchObject({ strategy: "tc" });
    expect(parseTraceFlags({ "tc-hook": "auto" }).strategy).toBe("auto");
  });

  it("parses numbers", () => {
    expect(
      parseTraceFlags({ port: "443", duration: "1.5", "max-events-per-sec": "100" }),
    ).toMatchObject({ port: 443, durationSeconds: 1.5, maxEventsPerSec: 100 });
  });

  it.each([
    [{ port: "0" }, /^--port "0" is not a port$/],
    [{ port: "http" }, /--port "http"/],
    [{ duration: "-1" }, /^--duration "-1" is not a duration$/],
    // The same strict numbers as every command: Number() would take these.
    [{ duration: "1e3" }, /--duration "1e3" is not a duration/],
    [{ duration: "0x10" }, /--duration "0x10" is not a duration/],
    [{ duration: "Infinity" }, /--duration "Infinity" is not a duration/],
    [{ port: "0x50" }, /--port "0x50" is not a port/],
    [{ duration: "" }, /--duration ""/],
    [{ "max-events-per-sec": "1.5" }, /--max-events-per-sec "1.5"/],
    [{ strategy: "xdp" }, /--strategy "xdp" is not one of auto, fentry, kprobe, cgroup, tc/],
    [{ reason: ["full"] }, /--reason "full"/],
    [{ strategy: "fentry", interface: ["eth0"] }, /--interface applies to the tc strategy/],
    [{ "tc-hook": "qdisc" }, /--tc-hook "qdisc" is not one of auto, tcx, clsact/],
    [{ strategy: "tc", cgroup: "web" }, /--cgroup applies to the cgroup strategy, not tc/],
    [{ cgroup: " " }, /--cgroup " " is not a cgroup directory/],
    [{ strategy: "cgroup", "tc-hook": "tcx" }, /--tc-hook applies to the tc strategy, not cgroup/],
    [
      { cgroup: "web", interface: ["lo"] },
      /--interface applies to the tc strategy, not cgroup \(implied by --cgroup\)/,
    ],
    [{ strategy: "kprobe", "tc-hook": "tcx" }, /--tc-hook applies to the tc strategy, not kprobe/],
    [{ "ring-buffer-kb": "3" }, /--ring-buffer-kb "3" is not a power of two/],
    [{ "ring-buffer-kb": "6" }, /--ring-buffer-kb "6"/],
  ])("refuses %j", (flags, message) => {
    expect(() => parseTraceFlags(flags)).toThrow(message);
  });
});

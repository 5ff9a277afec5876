import { describe, expect, it } from "vitest";
import type { TraceDrop, TraceSummary } from "../../../src/model/trace.js";
import { dropHeader, dropLine, startBanner, summaryText } from "../../../src/render/trace.js";

const drop: TraceDrop = {
  schemaVersion: 1,
  type: "drop",
  timeUs: 1795255306596567,
  reason: "accept-queue-full",
  acceptQueue: 3,
  acceptQueueMax: 2,
  synQueue: 0,
  listener: {
    address: "127.0.0.1",
    port: 1234,
    family: "inet",
    socketInode: 7,
    processes: [{ pid: 42, command: "nginx" }],
  },
  destination: { address: "192.0.2.5", port: 80 },
  remote: { address: "127.0.0.2", port: 40000 },
  family: "inet",
  netns: { inode: 4026532247, name: null },
  syncookies: 1,
  hook: "cgroup",
};

describe("drop lines", () => {
  it("line up under the acceptq.stp-style header", () => {
    const header = dropHeader();
    const line = dropLine(drop);
    expect(header).toMatch(
      /^TIME\(us\) +REASON +ACCEPTQ +QMAX +SYNQ +LISTENER +DESTINATION +REMOTE +NETNS +PROCESS$/,
    );
    expect(line.indexOf("127.0.0.1:1234")).toBe(header.indexOf("LISTENER"));
    expect(line.indexOf("192.0.2.5:80")).toBe(header.indexOf("DESTINATION"));
    expect(line.indexOf("net:[4026532247]")).toBe(header.indexOf("NETNS"));
    expect(line).toMatch(/nginx\/42$/);
  });

  it("bracket IPv6 endpoints and show - without an owner", () => {
    const line = dropLine({
      ...drop,
      family: "inet6",
      listener: { ...drop.listener, address: "::", family: "inet6", processes: [] },
      destination: { address: "::1", port: 8443 },
      remote: { address: "fd00::2", port: 5 },
      netns: { inode: 1, name: "web" },
    });
    expect(line).toContain("[::]:1234");
    expect(line).toContain("[::1]:8443");
    expect(line).toContain("[fd00::2]:5");
    expect(line).toMatch(/ web +-$/);
  });

  it("writes a dual-stack listener as ss and status do", () => {
    const dual = { ...drop.listener, address: "::", family: "dual" as const };
    expect(dropLine({ ...drop, listener: dual })).toContain(" *:1234 ");
    expect(dropLine({ ...drop, listener: { ...dual, address: "::ffff:10.0.0.1" } })).toContain(
      "[::ffff:10.0.0.1]:1234",
    );
  });
});

describe("banner and summary", () => {
  it("say what is traced, and with --verbose why each strategy was (not) used", () => {
    const text = startBanner(
      {
        schemaVersion: 1,
        type: "start",
        strategy: "tc",
        attempts: [
          { strategy: "fentry", used: false, detail: "loading failed: EPERM" },
          { strategy: "tc", used: true, detail: "clsact ingress predicts" },
        ],
        reasons: ["accept-queue-full"],
        port: 443,
        netns: { inode: 1, name: "web" },
        interfaces: ["lo", "eth0"],
        tcHook: "clsact",
        cgroup: null,
        kernel: "6.18",
      },
      true,
    );
    expect(text.split("\n")).toEqual([
      "synq: tracing accept-queue-full with the tc strategy (clsact) on lo, eth0, in network namespace web, port 443; Ctrl-C to stop",
      "synq: strategy fentry: rejected: loading failed: EPERM",
      "synq: strategy tc: used: clsact ingress predicts",
    ]);
  });

  it("prints per-listener and per-remote tables and says when events were lost", () => {
    const summary: TraceSummary = {
      schemaVersion: 1,
      type: "summary",
      strategy: "fentry",
      durationSeconds: 2,
      totals: { "accept-queue-full": 5, "accept-queue-full-ack": 1 },
      listeners: [
        {
          listener: drop.listener,
          netns: { inode: 1, name: "web" },
          counts: { "accept-queue-full": 5, "accept-queue-full-ack": 1 },
          total: 6,
        },
      ],
      remotes: [
        {
          prefix: "127.0.0.0/24",
          family: "inet",
          netns: { inode: 1, name: "web" },
          counts: { "accept-queue-full": 5, "accept-queue-full-ack": 1 },
          total: 6,
        },
      ],
      events: { delivered: 4, lost: 2, notPrinted: 1 },
      unattributed: { listeners: 0, remotes: 0 },
    };
    const text = summaryText(summary);
    expect(text).toMatch(
      /LISTENER +NETNS +ACCEPT-QUEUE-FULL +ACCEPT-QUEUE-FULL-ACK +TOTAL +PROCESS/,
    );
    expect(text).toMatch(/127\.0\.0\.1:1234 +web +5 +1 +6 +nginx\/42/);
    expect(text).toMatch(/127\.0\.0\.0\/24 +web +5 +1 +6/);
    expect(text).toMatch(/Totals: accept-queue-full 5, accept-queue-full-ack 1/);
    expect(text).toMatch(/2 LOST \(ring buffer full; still counted above\)/);
    expect(text).toMatch(/1 not printed \(--max-events-per-sec\)/);
    expect(text).not.toContain("Peak accept-queue depth");
  });

  it("prints each listener's peak when peaks were kept, and says when none had a queue", () => {
    const base: TraceSummary = {
      schemaVersion: 1,
      type: "summary",
      strategy: "cgroup",
      durationSeconds: 3,
      totals: { "accept-queue-full": 0 },
      listeners: [],
      remotes: [],
      events: { delivered: 0, lost: 0, notPrinted: 0 },
      unattributed: { listeners: 0, remotes: 0 },
    };
    const text = summaryText({
      ...base,
      peaks: [
        {
          listener: drop.listener,
          netns: { inode: 1, name: "web" },
          acceptQueuePeak: 5,
          acceptQueueMax: 4,
        },
        {
          listener: { ...drop.listener, address: "::", port: 443, family: "dual", processes: [] },
          netns: { inode: 2, name: "" },
          acceptQueuePeak: 1,
          acceptQueueMax: 128,
        },
      ],
    });
    expect(text).toContain(
      "Peak accept-queue depth by listener (deepest seen by a SYN or final ACK, cgroup):",
    );
    expect(text).toMatch(/LISTENER +NETNS +PEAK +QMAX +PROCESS/);
    expect(text).toMatch(/127\.0\.0\.1:1234 +web +5 +4 +nginx\/42/);
    expect(text).toMatch(/\*:443 +- +1 +128 +-/);
    // Before the totals line, after the drop tables.
    expect(text.indexOf("Peak accept-queue")).toBeGreaterThan(text.indexOf("Drops by remote"));
    expect(text.indexOf("Peak accept-queue")).toBeLessThan(text.indexOf("Totals:"));
    expect(summaryText({ ...base, peaks: [] })).toContain(
      "  none (no accept queue held a connection)",
    );
  });
});

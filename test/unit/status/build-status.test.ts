import { describe, expect, it } from "vitest";
import { synQueueRule } from "../../../src/kernel/syn-queue-limit.js";
import { upstreamKernelVersion } from "../../../src/kernel/version.js";
import { buildNamespaceStatus } from "../../../src/status/build-status.js";
import { capturesOf } from "../../helpers/fixtures.js";
import { sampleFromCapture } from "../../helpers/sample-from-capture.js";

describe.each(capturesOf("busy"))("buildNamespaceStatus on $label", (capture) => {
  const version = upstreamKernelVersion(capture.kernel, capture.unameVersion, null);
  if (!version) throw new Error(capture.kernel);
  const rule = synQueueRule(version);
  const status = buildNamespaceStatus(sampleFromCapture(capture), null, {
    netns: "t",
    rule,
    port: null,
  });
  const byLocal = (local: string) => status.listeners.filter((l) => l.local === local);

  it("attributes every SYN-RECV entry to the listener the kernel chose", () => {
    const depth = Object.fromEntries(
      status.listeners.map((l) => [
        `${l.local}${l.device ? `%${l.device}` : ""}`,
        l.synQueue.depth,
      ]),
    );
    expect(depth).toEqual({
      "0.0.0.0:53%lo": 0,
      "[::ffff:127.0.0.1]:7000": 1,
      "0.0.0.0:7443": 4,
      "0.0.0.0:8080": 0,
      "127.0.0.2:8080": 3,
      "*:8443": 4,
      "[::1]:9000": 2,
      "0.0.0.0:9443": 1,
      "[::]:9443": 3,
    });
    expect(status.synRecvUnattributed).toBe(0);
  });

  it("marks SO_REUSEPORT twins as sharing their SYN-RECV total", () => {
    expect(byLocal("0.0.0.0:7443").map((l) => l.synQueue.sharedWith)).toEqual([1, 1]);
    expect(byLocal("127.0.0.2:8080")[0]?.synQueue.sharedWith).toBe(0);
  });

  it("reports the flooded listener as full and dropping, with the kernel's SYN-queue limit", () => {
    const [l] = byLocal("0.0.0.0:8080");
    expect(l?.acceptQueue).toEqual({ depth: 5, backlog: 4, fillPercent: 100 });
    expect(l?.synQueue.limit).toBe(rule === "backlog" ? 4 : 5);
    expect(l?.family).toBe("inet");
    const codes = status.findings.filter((f) => f.listener === "0.0.0.0:8080").map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(["accept-queue-full", "listener-dropped"]));
  });

  it("reports nothing for the healthy listeners", () => {
    const flagged = new Set(status.findings.map((f) => f.listener).filter(Boolean));
    expect([...flagged]).toEqual(["0.0.0.0:8080"]);
  });

  it("labels dual-stack listeners", () => {
    expect(byLocal("*:8443")[0]?.family).toBe("dual");
    expect(byLocal("[::ffff:127.0.0.1]:7000")[0]?.family).toBe("dual");
    expect(byLocal("[::]:9443")[0]?.family).toBe("inet6");
  });

  it("filters by port", () => {
    const only = buildNamespaceStatus(sampleFromCapture(capture), null, {
      netns: "t",
      rule,
      port: 7443,
    });
    expect(only.listeners.map((l) => l.local)).toEqual(["0.0.0.0:7443", "0.0.0.0:7443"]);
  });
});

describe.each(capturesOf("synqueue"))("SYN-queue limit rule on $label", (capture) => {
  it("predicts exactly how many request sockets this kernel kept", () => {
    const version = upstreamKernelVersion(capture.kernel, capture.unameVersion, null);
    if (!version) throw new Error(capture.kernel);
    const s = buildNamespaceStatus(sampleFromCapture(capture), null, {
      netns: "",
      rule: synQueueRule(version),
      port: null,
    });
    const [l] = s.listeners;
    expect(l?.synQueue.depth).toBeGreaterThan(0);
    expect(l?.synQueue.limit).toBe(l?.synQueue.depth);
    expect(s.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["syn-queue-full", "syncookies-disabled"]),
    );
  });
});

describe.each(capturesOf("cookies"))("buildNamespaceStatus on $label", (capture) => {
  it("reports the cookie counter and the syncookies=2 setting", () => {
    const s = buildNamespaceStatus(sampleFromCapture(capture), null, {
      netns: "",
      rule: "backlog-plus-one",
      port: null,
    });
    expect(s.counters.find((c) => c.name === "TcpExt.SyncookiesSent")?.value).toBe(5);
    expect(s.sysctls.find((x) => x.key === "net.ipv4.tcp_syncookies")?.value).toBe(2);
    expect(s.listeners[0]?.synQueue.depth).toBe(0);
  });
});

describe.each(capturesOf("empty"))("buildNamespaceStatus on $label", (capture) => {
  it("has no listeners and no findings about them", () => {
    const s = buildNamespaceStatus(sampleFromCapture(capture), null, {
      netns: "",
      rule: "backlog-plus-one",
      port: null,
    });
    expect(s.listeners).toEqual([]);
    expect(s.findings.filter((f) => f.listener !== null)).toEqual([]);
  });
});

describe("rates with an interval", () => {
  const [capture] = capturesOf("busy");
  it("turns counter and sk_drops deltas into per-second rates and critical findings", () => {
    if (!capture) throw new Error("no busy capture");
    const before = sampleFromCapture(capture);
    const after = sampleFromCapture(capture);
    after.takenAt = 2000;
    const flooded = after.listeners.find(
      (l) => l.local.port === 8080 && l.local.address === "0.0.0.0",
    );
    if (!flooded) throw new Error("no flooded listener");
    flooded.drops = (flooded.drops ?? 0) + 10;
    const tcpExt = after.counters.TcpExt ?? {};
    tcpExt.ListenOverflows = (tcpExt.ListenOverflows ?? 0n) + 10n;
    const s = buildNamespaceStatus(after, before, {
      netns: "",
      rule: "backlog-plus-one",
      port: null,
    });
    expect(s.listeners.find((l) => l.local === "0.0.0.0:8080")?.dropsPerSecond).toBe(5);
    expect(s.listeners.find((l) => l.local === "127.0.0.2:8080")?.dropsPerSecond).toBe(0);
    expect(s.counters.find((c) => c.name === "TcpExt.ListenOverflows")?.perSecond).toBe(5);
    expect(s.counters.find((c) => c.name === "Tcp.CurrEstab")?.perSecond).toBeNull();
    const codes = s.findings.map((f) => `${f.severity}:${f.code}`);
    expect(codes).toContain("critical:listener-dropping");
    expect(codes).toContain("critical:listen-overflows");
  });
});

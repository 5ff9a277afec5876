import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { type Status, statusSchema } from "../../src/model/status.js";
import {
  createNetns,
  deleteNetns,
  inNetns,
  nstat,
  type RunningScenario,
  setNetnsSysctl,
  startScenario,
} from "../helpers/netns.js";
import { expectOneLineErrorBothWays } from "../helpers/one-line-error.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq, runSynqAsync } from "../helpers/run-synq.js";

const skip = missing(
  isRoot && hasTool("ip") && hasTool("ss") && hasTool("nstat"),
  "root with ip, ss and nstat",
);

/** The two ways synq reads sockets: sock_diag (default) and ss (SYNQ_SOCKETS=ss). */
const SOURCES = [
  { source: "sock_diag", env: {} },
  { source: "ss", env: { SYNQ_SOCKETS: "ss" } },
] as const;

function statusJson(args: string[], env: NodeJS.ProcessEnv = {}): Status {
  const r = runSynq(["status", "--json", ...args], env);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return statusSchema.parse(JSON.parse(r.stdout));
}

/** Request sockets `ss` itself lists for a local port in the namespace. */
function ssSynRecv(ns: string, port: number): number {
  const out = inNetns(ns, "ss", ["-H", "-t", "-n", "state", "syn-recv", `( sport = :${port} )`]);
  return out.split("\n").filter((l) => l.trim() !== "").length;
}

describe.skipIf(skip).each(SOURCES)(
  "synq status against the live kernel, via $source",
  ({ env }) => {
    let ns = "";
    let scenario: RunningScenario | undefined;
    let status: Status;
    let before: Map<string, number>;
    let after: Map<string, number>;

    beforeAll(async () => {
      ns = createNetns("synq-status");
      before = nstat(ns);
      scenario = await startScenario(ns, {
        listeners: [
          { address: "0.0.0.0", port: 8080, backlog: 4 },
          { address: "::", port: 9090, backlog: 128, v6only: false },
        ],
        rawSyns: [
          { src: "192.0.2.1", dst: "127.0.0.1", dport: 8080, count: 3 },
          { src: "192.0.2.2", dst: "127.0.0.1", dport: 9090, count: 2 },
          { src: "2001:db8::2", dst: "::1", dport: 9090, count: 2 },
        ],
        connect: [{ host: "127.0.0.1", port: 8080, count: 9 }],
        settleMs: 1000,
      });
      status = statusJson(["--netns", ns], env);
      after = nstat(ns);
    });

    afterAll(async () => {
      await scenario?.stop();
      deleteNetns(ns);
    });

    const listener = (local: string) => {
      const l = status.namespaces[0]?.listeners.find((x) => x.local === local);
      if (!l)
        throw new Error(
          `no listener ${local} in ${JSON.stringify(status.namespaces[0]?.listeners)}`,
        );
      return l;
    };

    it("reports the namespace it was asked for", () => {
      expect(status.namespaces.map((n) => n.netns)).toEqual([ns]);
      expect(status.namespaces[0]?.listeners.every((l) => l.netns === ns)).toBe(true);
    });

    it("reads accept queue depth 5 for backlog 4", () => {
      expect(listener("0.0.0.0:8080").acceptQueue).toMatchObject({ depth: 5, backlog: 4 });
    });

    it("reports as many drops as the kernel's ListenDrops delta in that namespace", () => {
      // Counters must not have moved while synq read them, or the comparison means nothing.
      expect(after.get("TcpExtListenDrops")).toBe(nstat(ns).get("TcpExtListenDrops"));
      const delta = (after.get("TcpExtListenDrops") ?? 0) - (before.get("TcpExtListenDrops") ?? 0);
      expect(delta).toBeGreaterThan(0);
      expect(listener("0.0.0.0:8080").drops).toBe(delta);
      const ctr = status.namespaces[0]?.counters.find((c) => c.name === "TcpExt.ListenDrops");
      expect(ctr?.value).toBe(after.get("TcpExtListenDrops"));
    });

    it("counts SYN-RECV per listener exactly as ss lists them", () => {
      expect(listener("0.0.0.0:8080").synQueue.depth).toBe(ssSynRecv(ns, 8080));
      expect(listener("0.0.0.0:8080").synQueue.depth).toBe(3);
      expect(listener("*:9090").synQueue.depth).toBe(ssSynRecv(ns, 9090));
      expect(listener("*:9090").synQueue.depth).toBe(4);
    });

    it("has findings for the overflowing listener and none for the healthy one", () => {
      const findings = status.namespaces[0]?.findings ?? [];
      const on8080 = findings.filter((f) => f.listener === "0.0.0.0:8080").map((f) => f.code);
      expect(on8080).toEqual(expect.arrayContaining(["accept-queue-full", "listener-dropped"]));
      expect(findings.filter((f) => f.listener === "*:9090")).toEqual([]);
    });

    it("names the owning process", () => {
      expect(listener("0.0.0.0:8080").processes.map((p) => p.command)).toEqual(["node"]);
    });

    it("filters by --port and fails --check with exit code 2", () => {
      const only = statusJson(["--netns", ns, "--port", "9090"], env);
      expect(only.namespaces[0]?.listeners.map((l) => l.local)).toEqual(["*:9090"]);
      expect(runSynq(["status", "--netns", ns, "--port", "9090", "--check"], env).status).toBe(0);
      const failing = runSynq(["status", "--netns", ns, "--check", "--json"], env);
      expect(failing.status).toBe(2);
      expect(statusSchema.parse(JSON.parse(failing.stdout)).namespaces[0]?.netns).toBe(ns);
    });

    it("finds the namespace under --all-netns, tagged with its name", () => {
      const all = statusJson(["--all-netns"], env);
      const mine = all.namespaces.find((n) => n.netns === ns);
      expect(mine?.listeners.map((l) => l.local).sort()).toEqual(["*:9090", "0.0.0.0:8080"]);
      expect(all.namespaces.some((n) => n.netns === "")).toBe(true);
      // One /proc scan serves every namespace: each still gets its own listeners' owners.
      for (const l of mine?.listeners ?? []) {
        expect(l.processes.map((p) => p.command)).toEqual(["node"]);
      }
    });

    it("works without root in its own namespace, and says what is missing for another", () => {
      const own = runSynq(["status", "--json"], env, true);
      expect(own.stderr).toBe("");
      expect(own.status).toBe(0);
      expect(statusSchema.parse(JSON.parse(own.stdout)).namespaces[0]?.netns).toBe("");
      expectOneLineErrorBothWays(
        (args) => runSynq(["status", ...args], env, true),
        ["--netns", ns],
        ExitCode.permission,
        new RegExp(`^synq: entering network namespace ${ns} was refused .*run synq as root`),
      );
    });

    it("prints tables without colour when piped", () => {
      const r = runSynq(["status", "--netns", ns], env);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("0.0.0.0:8080");
      expect(r.stdout).toContain("5/4");
      expect(r.stdout).toContain("accept queue full");
      expect(r.stdout).not.toContain("\u001b[");
    });
  },
);

describe.skipIf(skip)("sock_diag and ss readings of one namespace", () => {
  let ns = "";
  let scenario: RunningScenario | undefined;
  afterAll(async () => {
    await scenario?.stop();
    deleteNetns(ns);
  });

  it("agree on every listener, owner and SYN-RECV count, IPv4 and IPv6", async () => {
    ns = createNetns("synq-sources");
    scenario = await startScenario(ns, {
      listeners: [
        { address: "0.0.0.0", port: 8080, backlog: 4, share: true },
        { address: "127.0.0.2", port: 8081, backlog: 8 },
        { address: "::", port: 9090, backlog: 16, v6only: false },
        { address: "::", port: 9443, backlog: 16, v6only: true },
        { address: "::1", port: 9000, backlog: 8, v6only: true },
        { address: "0.0.0.0", port: 53, backlog: 8, device: "lo" },
        { address: "0.0.0.0", port: 7443, backlog: 8, reuseport: true },
        { address: "0.0.0.0", port: 7443, backlog: 8, reuseport: true },
      ],
      rawSyns: [
        { src: "192.0.2.1", dst: "127.0.0.1", dport: 8080, count: 3 },
        { src: "192.0.2.2", dst: "127.0.0.2", dport: 8081, count: 2 },
        { src: "192.0.2.3", dst: "127.0.0.1", dport: 9090, count: 2 },
        { src: "2001:db8::3", dst: "::1", dport: 9090, count: 2 },
        { src: "2001:db8::4", dst: "::1", dport: 9443, count: 3 },
        { src: "2001:db8::5", dst: "::1", dport: 9000, count: 1 },
        { src: "192.0.2.4", dst: "127.0.0.1", dport: 7443, count: 4 },
      ],
      connect: [{ host: "127.0.0.1", port: 8080, count: 9 }],
      settleMs: 1000,
    });
    const viaDiag = statusJson(["--netns", ns]);
    const viaSs = statusJson(["--netns", ns], { SYNQ_SOCKETS: "ss" });
    const sockets = (s: Status) => ({
      listeners: s.namespaces[0]?.listeners,
      unattributed: s.namespaces[0]?.synRecvUnattributed,
    });
    expect(sockets(viaDiag)).toEqual(sockets(viaSs));
    const listeners = viaDiag.namespaces[0]?.listeners ?? [];
    expect(listeners).toHaveLength(8);
    expect(listeners.reduce((n, l) => n + l.synQueue.depth, 0)).toBeGreaterThanOrEqual(13);
    const shared = listeners.find((l) => l.local === "0.0.0.0:8080");
    expect(shared?.processes).toHaveLength(2);
    expect(listeners.find((l) => l.port === 53)?.device).toBe("lo");
  });
});

describe.skipIf(skip)("SYN cookies seen by synq status", () => {
  let ns = "";
  afterAll(() => deleteNetns(ns));

  it("shows SyncookiesSent rising under tcp_syncookies=2", async () => {
    ns = createNetns("synq-cookies");
    setNetnsSysctl(ns, "net.ipv4.tcp_syncookies", 2);
    const first = statusJson(["--netns", ns]);
    const sent = (s: Status) =>
      s.namespaces[0]?.counters.find((c) => c.name === "TcpExt.SyncookiesSent");
    expect(sent(first)?.value).toBe(0);
    const scenario = await startScenario(ns, {
      listeners: [{ address: "0.0.0.0", port: 8080, backlog: 4 }],
      rawSyns: [{ src: "192.0.2.9", dst: "127.0.0.1", dport: 8080, count: 6 }],
    });
    try {
      const second = statusJson(["--netns", ns]);
      expect(sent(second)?.value).toBe(6);
      expect(sent(second)?.value).toBe(nstat(ns).get("TcpExtSyncookiesSent"));
      expect(
        second.namespaces[0]?.sysctls.find((s) => s.key === "net.ipv4.tcp_syncookies")?.value,
      ).toBe(2);
      // Cookies keep no request sockets.
      expect(second.namespaces[0]?.listeners[0]?.synQueue.depth).toBe(0);
    } finally {
      await scenario.stop();
    }
  });

  it("reports cookies being sent now, with a rate, when a SYN queue overflows", async () => {
    const ns2 = createNetns("synq-cookies1");
    try {
      const scenario = await startScenario(ns2, {
        listeners: [{ address: "0.0.0.0", port: 8080, backlog: 4 }],
      });
      // A steady trickle of SYNs into a full SYN queue for as long as synq samples: on a slow
      // (emulated) machine the interval's start cannot be timed from here.
      const flood = await startScenario(ns2, {
        synStream: { src: "192.0.2.10", dst: "127.0.0.1", dport: 8080, count: 3, everyMs: 200 },
      });
      const sampling = runSynqAsync(["status", "--json", "--netns", ns2, "--interval", "2"]);
      await sampling.finally(() => flood.stop());
      const run = await sampling;
      expect(run.status).toBe(0);
      const status = statusSchema.parse(JSON.parse(run.stdout));
      await scenario.stop();
      const sentCounter = status.namespaces[0]?.counters.find(
        (c) => c.name === "TcpExt.SyncookiesSent",
      );
      expect(sentCounter?.perSecond).toBeGreaterThan(0);
      expect(status.namespaces[0]?.findings.map((f) => f.code)).toContain("syncookies-sending");
    } finally {
      deleteNetns(ns2);
    }
  });
});

/**
 * synq trace-drops --cgroup: the cgroup strategy attached to one cgroup traces the listeners
 * of processes under it and no others. Two listeners that never accept, in one namespace,
 * one opened by a process in a cgroup the test creates and one outside it, flooded at once:
 * synq reports the first one's drops, as many as its sk_drops, and none of the second's.
 */
import { mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { cgroup2MountPoint } from "../../src/trace/kernel-features.js";
import { startScenario } from "../helpers/netns.js";
import { expectOneLineErrorBothWays } from "../helpers/one-line-error.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { useTraceNamespaces } from "../helpers/trace-namespaces.js";
import { runTraceWrapped } from "../helpers/trace-run.js";
import { acceptQueueDrops, listenerDrops, traceAround } from "../helpers/trace-scenarios.js";

const tools = ["ip", "ss", "nstat", "bpftool"];
const root = cgroup2MountPoint(readFileSync("/proc/self/mountinfo", "utf8"));
const skip = missing(
  isRoot && root !== null && tools.every(hasTool),
  `root, a cgroup v2 hierarchy and ${tools.join(", ")}`,
);
const netns = useTraceNamespaces();

let cgroup: string | null = null;
afterEach(() => {
  if (cgroup) rmdirSync(cgroup);
  cgroup = null;
});

describe.skipIf(skip)("synq trace-drops --cgroup", () => {
  it("traces the listeners of that cgroup only", async () => {
    const ns = netns("synq-cgroup");
    cgroup = join(root as string, `synq-test-${process.pid}`);
    mkdirSync(cgroup);
    const inside = { address: "127.0.0.1", port: 8080, backlog: 2 };
    const outside = { address: "127.0.0.1", port: 8081, backlog: 2 };
    let sk = new Map<string, number>();
    const run = await traceAround(ns, ["--cgroup", cgroup], async () => {
      const a = await startScenario(
        ns,
        { listeners: [inside], connect: [{ host: "127.0.0.1", port: 8080, count: 8 }] },
        { cgroup: cgroup as string },
      );
      const b = await startScenario(ns, {
        listeners: [outside],
        connect: [{ host: "127.0.0.1", port: 8081, count: 8 }],
        settleMs: 2500,
      });
      await sleep(200);
      sk = listenerDrops(ns);
      await Promise.all([a.stop(), b.stop()]);
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.start).toMatchObject({ strategy: "cgroup", cgroup });
    const insideDrops = sk.get("127.0.0.1:8080") ?? 0;
    expect(insideDrops).toBeGreaterThan(0);
    expect(sk.get("127.0.0.1:8081") ?? 0).toBeGreaterThan(0);
    // Every drop synq saw is the inside listener's, and it saw all of them.
    expect(run.summary.listeners.map((l) => l.listener.port)).toEqual([8080]);
    expect(acceptQueueDrops(run.summary)).toBe(insideDrops);
    expect(run.drops.every((d) => d.listener.port === 8080)).toBe(true);
  });

  it("refuses a directory that is not a cgroup with one line", () => {
    expectOneLineErrorBothWays(
      (args) => runTraceWrapped([], args),
      ["--cgroup", "/etc"],
      ExitCode.badInput,
      /^synq: --cgroup "\/etc" is not a cgroup under /,
    );
  });
});

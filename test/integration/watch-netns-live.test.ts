/**
 * watch over a selection that changes while it runs, as on a host that creates and deletes
 * customer namespaces all day: a pattern (or --all-netns) is selected again before each sample,
 * so a namespace created after the start appears (its first sample has no rates yet, as
 * status's first has none), and one deleted leaves the table. One namespace named exactly
 * stays the one watched, and its deletion is a one-line error. Both samplers run: the sampling
 * thread of the build and the in-thread one.
 */
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import type { Status } from "../../src/model/status.js";
import {
  inThreadSampler,
  type SampleRequest,
  type StatusSampler,
  sampleWorkerFile,
  type WatchSample,
  workerSampler,
} from "../../src/watch/sampler.js";
import { createNetns, deleteNetns, type RunningScenario, startScenario } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";

const skip = missing(isRoot && hasTool("ip"), "root with ip");

const samplers = {
  "the sampling thread": (req: SampleRequest) =>
    workerSampler(new Worker(sampleWorkerFile(), { workerData: req })),
  "in-thread": inThreadSampler,
} as const;

let made: string[] = [];
let scenarios: RunningScenario[] = [];
afterEach(async () => {
  for (const s of scenarios) await s.stop();
  for (const ns of made) deleteNetns(ns);
  made = [];
  scenarios = [];
});

/** A namespace named `${prefix}-…` with a never-accepting listener on `port`. */
async function namespaceWithListener(prefix: string, port: number): Promise<string> {
  const ns = createNetns(prefix);
  made.push(ns);
  scenarios.push(
    await startScenario(ns, { listeners: [{ address: "127.0.0.1", port, backlog: 8 }] }),
  );
  return ns;
}

/** The table's ports of one namespace. */
function ports(sample: WatchSample, ns: string): number[] {
  return sample.rows.filter((r) => r.netns === ns).map((r) => r.port);
}

/** Whether the namespace's counters have rates (it was sampled before). */
function rated(status: Status, ns: string): boolean {
  const counters = status.namespaces.find((n) => n.netns === ns)?.counters ?? [];
  const overflows = counters.find((c) => c.name === "TcpExt.ListenOverflows");
  if (!overflows) throw new Error(`no ListenOverflows counter for ${ns}`);
  return overflows.perSecond !== null;
}

describe.skipIf(skip).each(Object.keys(samplers))("watch's samples, %s", (which) => {
  const open = samplers[which as keyof typeof samplers];

  it("a pattern takes in a namespace created while it runs and lets a deleted one go", async () => {
    // A prefix of this run's own, so that other tests' namespaces never match.
    const prefix = `synq-live${process.pid % 1000}${Math.floor(Math.random() * 1e4)}`;
    const first = await namespaceWithListener(prefix, 8081);
    const sampler: StatusSampler = open({
      targets: [{ name: first, path: `/run/netns/${first}` }],
      reselect: { specs: [`${prefix}-*`], all: false },
      port: null,
      skipVanished: true,
    });
    try {
      const one = await sampler.sample();
      expect(one.status.namespaces.map((n) => n.netns)).toEqual([first]);
      expect(ports(one, first)).toEqual([8081]);

      const second = await namespaceWithListener(prefix, 8082);
      const two = await sampler.sample();
      expect(two.status.namespaces.map((n) => n.netns).sort()).toEqual([first, second].sort());
      expect(ports(two, second)).toEqual([8082]);
      // Rates for the namespace sampled twice; the new one has none yet.
      expect(two.status.intervalSeconds).toBeGreaterThan(0);
      expect(rated(two.status, first)).toBe(true);
      expect(rated(two.status, second)).toBe(false);
      expect(two.status.skippedNamespaces).toBeUndefined();

      await scenarios.shift()?.stop();
      deleteNetns(first);
      const three = await sampler.sample();
      expect(three.status.namespaces.map((n) => n.netns)).toEqual([second]);
      expect(ports(three, first)).toEqual([]);
      expect(rated(three.status, second)).toBe(true);
      expect(three.status.skippedNamespaces).toBeUndefined();
    } finally {
      await sampler.close();
    }
  });

  it("one namespace named exactly is the one watched: its deletion ends the watch in one line", async () => {
    const only = await namespaceWithListener("synq-livefixed", 8083);
    const sampler = open({
      targets: [{ name: only, path: `/run/netns/${only}` }],
      reselect: null,
      port: null,
      skipVanished: false,
    });
    try {
      expect(ports(await sampler.sample(), only)).toEqual([8083]);
      await scenarios.shift()?.stop();
      deleteNetns(only);
      await expect(sampler.sample()).rejects.toMatchObject({
        kind: "badInput",
        message: expect.stringMatching(`^network namespace "${only}" does not exist`),
      });
    } finally {
      await sampler.close();
    }
  });
});

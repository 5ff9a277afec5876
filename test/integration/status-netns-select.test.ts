/**
 * `synq status --netns` repeated and with patterns, on real named namespaces: a pattern selects
 * the namespaces whose names match, several values are one deduplicated view, and a pattern
 * that matches nothing or a name that does not exist is one line on stderr (exit 3).
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { type Status, statusSchema } from "../../src/model/status.js";
import { collectStatus } from "../../src/status/collect-status.js";
import { selectNetns } from "../../src/system/netns-select.js";
import {
  deleteNetns,
  type RunningScenario,
  setNetnsSysctl,
  startScenario,
} from "../helpers/netns.js";
import { expectOneLineErrorBothWays } from "../helpers/one-line-error.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq } from "../helpers/run-synq.js";

const skip = missing(isRoot && hasTool("ip") && hasTool("ss"), "root with ip and ss");

const prefix = `synq-sel-${process.pid}-`;
const cust = (n: number) => `${prefix}cust-${n}`;
// Sorted as /run/netns lists them: cust-1, cust-10, cust-11, cust-12, cust-2, …
const CUSTOMERS = Array.from({ length: 12 }, (_, i) => cust(i + 1));
const made: string[] = [];

function addNetns(name: string): void {
  execFileSync("ip", ["netns", "add", name]);
  made.push(name);
}

function statusJson(args: string[], env: NodeJS.ProcessEnv = {}): Status {
  const r = runSynq(["status", "--json", ...args], env);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return statusSchema.parse(JSON.parse(r.stdout));
}

const netnsOf = (s: Status) => s.namespaces.map((n) => n.netns);

describe.skipIf(skip)("synq status --netns: patterns and repeats", () => {
  const scenarios: RunningScenario[] = [];

  beforeAll(async () => {
    for (const name of CUSTOMERS) addNetns(name);
    // A listener of its own in two of them: what is read must come from the right namespace.
    for (const [n, port] of [
      [1, 7001],
      [10, 7010],
    ] as const) {
      scenarios.push(
        await startScenario(cust(n), { listeners: [{ address: "0.0.0.0", port, backlog: 8 }] }),
      );
    }
  });

  afterAll(async () => {
    for (const s of scenarios) await s.stop();
    for (const name of made) deleteNetns(name);
  });

  for (const [source, env] of [
    ["sock_diag", {}],
    ["ss", { SYNQ_SOCKETS: "ss" }],
  ] as const) {
    it(`a pattern selects exactly the matching namespaces, each read in itself (${source})`, () => {
      const status = statusJson(["--netns", `${prefix}cust-1*`], env);
      expect(netnsOf(status)).toEqual([cust(1), cust(10), cust(11), cust(12)]);
      const locals = status.namespaces.map((n) => n.listeners.map((l) => l.local));
      expect(locals).toEqual([["0.0.0.0:7001"], ["0.0.0.0:7010"], [], []]);
      expect(status.namespaces[1]?.listeners[0]?.netns).toBe(cust(10));
      expect(status.skippedNamespaces).toBeUndefined();
    });
  }

  it("reads each namespace's own sysctls", () => {
    setNetnsSysctl(cust(2), "net.core.somaxconn", 1234);
    setNetnsSysctl(cust(2), "net.ipv4.tcp_syncookies", 0);
    const sysctls = statusJson(["--netns", `${prefix}cust-[23]`]).namespaces.map((n) =>
      Object.fromEntries(n.sysctls.map((s) => [s.key, s.value])),
    );
    expect(sysctls.map((s) => s["net.core.somaxconn"])).toEqual([1234, 4096]);
    expect(sysctls.map((s) => s["net.ipv4.tcp_syncookies"])).toEqual([0, 1]);
  });

  it("?, [...] and [!...] select single characters", () => {
    expect(netnsOf(statusJson(["--netns", `${prefix}cust-?`]))).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map(cust),
    );
    expect(netnsOf(statusJson(["--netns", `${prefix}cust-1[02]`]))).toEqual([cust(10), cust(12)]);
    expect(netnsOf(statusJson([`--netns=${prefix}cust-[!1-8]`]))).toEqual([cust(9)]);
  });

  it("--netns repeated is the union, without repeats, in the order namespaces are listed", () => {
    expect(
      netnsOf(statusJson(["--netns", cust(2), "--netns", `${prefix}cust-1?`, "--netns", cust(11)])),
    ).toEqual([cust(10), cust(11), cust(12), cust(2)]);
    expect(
      netnsOf(statusJson(["--netns", `/run/netns/${cust(5)}`, "--netns", `${prefix}cust-[45]`])),
    ).toEqual([cust(4), cust(5)]);
  });

  it("the text output shows what each selected namespace holds, and nothing else", () => {
    const r = runSynq(["status", "--netns", `${prefix}cust-1`, "--netns", `${prefix}cust-1[0]`]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("0.0.0.0:7001");
    expect(r.stdout).toContain("0.0.0.0:7010");
    expect(r.stdout).toContain(cust(10));
    expect(r.stdout).not.toContain(cust(11));
  });

  it("one exact --netns reads that namespace alone, as before", () => {
    const status = statusJson(["--netns", cust(1)]);
    expect(netnsOf(status)).toEqual([cust(1)]);
    expect(status.namespaces[0]?.listeners.map((l) => l.local)).toEqual(["0.0.0.0:7001"]);
  });

  it("a pattern that matches nothing is one line on stderr, exit 3, with and without --json", () => {
    for (const args of [
      ["--netns", `${prefix}cust-9*9`],
      ["--netns", `${prefix}cust-1*`, "--netns", `${prefix}cust-9*9`],
    ]) {
      expectOneLineErrorBothWays(
        (a) => runSynq(["status", ...a]),
        args,
        ExitCode.badInput,
        new RegExp(
          `^synq: no network namespace matches "${prefix}cust-9\\*9"; list them with \`ip netns list\`$`,
        ),
      );
    }
  });

  it("a name that does not exist is today's error, beside a pattern too", () => {
    for (const args of [
      ["--netns", `${prefix}nope`],
      ["--netns", `${prefix}cust-1*`, "--netns", `${prefix}nope`],
    ]) {
      expectOneLineErrorBothWays(
        (a) => runSynq(["status", ...a]),
        args,
        ExitCode.badInput,
        new RegExp(
          `^synq: network namespace "${prefix}nope" does not exist \\(no /run/netns/${prefix}nope\\); list the named namespaces with \`ip netns list\`$`,
        ),
      );
    }
  });

  it("a matched namespace deleted before it is read is skipped with a note", async () => {
    const gone = `${prefix}gone-1`;
    addNetns(gone);
    addNetns(`${prefix}gone-2`);
    const selection = await selectNetns([`${prefix}gone-*`]);
    expect(selection.merged).toBe(true);
    deleteNetns(gone);
    const status = await collectStatus({
      targets: selection.targets,
      port: null,
      intervalSeconds: null,
      skipVanished: selection.merged,
    });
    expect(netnsOf(status)).toEqual([`${prefix}gone-2`]);
    expect(status.skippedNamespaces).toEqual([
      { netns: gone, reason: "went away while synq read it" },
    ]);
  });

  it("one exact name is that namespace alone, not a merged view", async () => {
    expect(await selectNetns([cust(3)])).toEqual({
      targets: [{ name: cust(3), path: `/run/netns/${cust(3)}` }],
      merged: false,
    });
  });
});

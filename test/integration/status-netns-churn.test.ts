/**
 * Namespaces that go away while synq reads them, as on a host that gives every customer its
 * own namespace and creates and deletes them all day. `--all-netns` skips such a namespace with
 * a note (human output and JSON `skippedNamespaces`) and reports the others; one namespace asked
 * for by name is the one-line "does not exist" error (exit 3).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ExitCode, SynqError } from "../../src/errors.js";
import { statusSchema } from "../../src/model/status.js";
import { palette } from "../../src/render/colour.js";
import { renderStatus } from "../../src/render/status-table.js";
import { collectStatus } from "../../src/status/collect-status.js";
import { discoverNetns, resolveNetns } from "../../src/system/netns.js";
import { createNetns, deleteNetns } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq } from "../helpers/run-synq.js";

const skip = missing(isRoot && hasTool("ip") && hasTool("unshare"), "root with ip and unshare");
const plain = palette(process.stdout, { NO_COLOR: "1" }, true);

let made: string[] = [];
afterEach(() => {
  for (const ns of made) deleteNetns(ns);
  made = [];
});

function netns(n: number): string[] {
  const names = Array.from({ length: n }, () => createNetns("synq-churn"));
  made.push(...names);
  return names;
}

describe.skipIf(skip)("a namespace deleted between listing and reading", () => {
  for (const sockets of ["sock_diag", "ss"] as const) {
    it(`--all-netns reports the others and notes the missing one (${sockets})`, async () => {
      const saved = process.env.SYNQ_SOCKETS;
      if (sockets === "ss") process.env.SYNQ_SOCKETS = "ss";
      try {
        const [a, gone, b] = netns(3) as [string, string, string];
        const targets = await discoverNetns();
        expect(targets.map((t) => t.name)).toEqual(expect.arrayContaining([a, gone, b]));
        deleteNetns(gone);
        const status = await collectStatus({
          targets,
          port: null,
          intervalSeconds: null,
          skipVanished: true,
        });
        statusSchema.parse(status);
        const read = status.namespaces.map((n) => n.netns);
        expect(read).toEqual(expect.arrayContaining(["", a, b]));
        expect(read).not.toContain(gone);
        expect(status.skippedNamespaces).toEqual([
          { netns: gone, reason: "went away while synq read it" },
        ]);
        expect(renderStatus(status, plain)).toContain(
          `note: network namespace ${gone} skipped: it went away while synq read it`,
        );
      } finally {
        if (saved === undefined) delete process.env.SYNQ_SOCKETS;
        else process.env.SYNQ_SOCKETS = saved;
      }
    });
  }

  it("--all-netns skips an unnamed namespace whose last process exited", async () => {
    const holder = spawn("unshare", ["-n", "sleep", "60"], { stdio: "ignore" });
    try {
      const label = `pid:${holder.pid}`;
      let targets = await discoverNetns();
      for (let i = 0; i < 50 && !targets.some((t) => t.name === label); i++) {
        await sleep(20);
        targets = await discoverNetns();
      }
      expect(targets.map((t) => t.name)).toContain(label);
      holder.kill("SIGKILL");
      await new Promise((resolve) => holder.once("exit", resolve));
      while (existsSync(`/proc/${holder.pid}`)) await sleep(10);
      const status = await collectStatus({
        targets,
        port: null,
        intervalSeconds: null,
        skipVanished: true,
      });
      expect(status.namespaces.map((n) => n.netns)).not.toContain(label);
      expect(status.skippedNamespaces?.map((s) => s.netns)).toEqual([label]);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("--all-netns --interval skips a namespace deleted between the two samples", async () => {
    const [kept, gone] = netns(2) as [string, string];
    const targets = await discoverNetns();
    const deleting = sleep(1000).then(() => deleteNetns(gone));
    const status = await collectStatus({
      targets,
      port: null,
      intervalSeconds: 2,
      skipVanished: true,
    });
    await deleting;
    expect(status.namespaces.map((n) => n.netns)).toContain(kept);
    expect(status.namespaces.map((n) => n.netns)).not.toContain(gone);
    expect(status.skippedNamespaces?.map((s) => s.netns)).toEqual([gone]);
  });

  it("a namespace asked for by name is the one-line 'does not exist' error", async () => {
    const [gone] = netns(1) as [string];
    const target = await resolveNetns(gone);
    deleteNetns(gone);
    const err = await collectStatus({ targets: [target], port: null, intervalSeconds: null }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SynqError);
    expect((err as SynqError).exitCode).toBe(ExitCode.badInput);
    expect((err as SynqError).oneLine()).toMatch(
      new RegExp(`^network namespace "${gone}" does not exist .*; list the named namespaces`),
    );
  });
});

describe.skipIf(skip)("synq status --all-netns while namespaces come and go", () => {
  let churn: ChildProcess | null = null;
  afterAll(() => {
    churn?.kill("SIGKILL");
    for (const name of existsSync("/run/netns") ? readdirSync("/run/netns") : []) {
      if (name.startsWith(`synq-churn-x${process.pid}-`)) deleteNetns(name);
    }
  });

  it("20 runs: each exits 0 with valid JSON holding every namespace that stayed", async () => {
    const kept = netns(5);
    // Named namespaces added and deleted, and unnamed ones held by short-lived processes.
    churn = spawn(
      "sh",
      [
        "-c",
        `i=0; while :; do n=synq-churn-x${process.pid}-$((i % 8)); ip netns add $n; ` +
          "unshare -n sleep 0.01 & ip netns del $n; i=$((i+1)); echo $i; done",
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    let cycles = 0;
    churn.stdout?.setEncoding("utf8").on("data", (d: string) => {
      cycles = Number(d.trimEnd().split("\n").at(-1));
    });
    await sleep(200);
    let skipped = 0;
    for (let run = 0; run < 20; run++) {
      const r = runSynq(["status", "--all-netns", "--json"]);
      expect(r.status, `run ${run}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe("");
      const status = statusSchema.parse(JSON.parse(r.stdout));
      expect(status.namespaces.map((n) => n.netns)).toEqual(expect.arrayContaining(kept));
      skipped += status.skippedNamespaces?.length ?? 0;
    }
    churn.kill("SIGKILL");
    // The namespaces really did churn meanwhile (how many runs met one vanishing varies).
    expect(cycles).toBeGreaterThan(5);
    console.log(`churn: ${cycles} add/delete cycles, ${skipped} namespaces skipped in 20 runs`);
  });
});

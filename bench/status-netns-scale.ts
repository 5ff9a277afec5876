/**
 * `synq status --all-netns --json` on a host with 1,000 named namespaces × 10 listeners, as a
 * ratio to `ip -all netns exec ss -Hltn` (budget ≤ 0.5×), and its peak memory. One process
 * holds every listener (test/helpers/netns-listeners-process.ts); baseline and synq runs alternate. Every
 * namespace made here is deleted at the end, on a failure and on SIGINT/SIGTERM too.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Status } from "../src/model/status.js";
import { spawnScenario } from "../test/helpers/netns.js";
import type { NetnsListeners } from "../test/helpers/netns-listeners-process.js";
import { median, peakRssKiB, wall } from "./measure.js";

const BIN = fileURLToPath(new URL("../bin/run.js", import.meta.url));
const HOLDER = fileURLToPath(
  new URL("../test/helpers/netns-listeners-process.ts", import.meta.url),
);
const PORT_FROM = 20000;

/** `ip -batch`: one process for a thousand `netns add` or `netns del`; -force goes on after an error. */
function ipBatch(lines: string[], force = false): void {
  const r = spawnSync("ip", [...(force ? ["-force"] : []), "-batch", "-"], {
    input: `${lines.join("\n")}\n`,
    stdio: ["pipe", "ignore", "pipe"],
    encoding: "utf8",
  });
  if (r.status !== 0 && !force) throw new Error(`ip -batch failed: ${r.stderr.trim()}`);
}

function deleteAll(names: string[]): void {
  ipBatch(
    names.map((n) => `netns del ${n}`),
    true,
  );
}

/** The namespaces made here that synq reported, their listeners, and how many it skipped. */
function countOurs(prefix: string): { namespaces: number; listeners: number; skipped: number } {
  const out = execFileSync(process.execPath, [BIN, "status", "--all-netns", "--json"], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const status = JSON.parse(out) as Status;
  const ours = status.namespaces.filter((n) => n.netns.startsWith(prefix));
  return {
    namespaces: ours.length,
    listeners: ours.reduce((sum, n) => sum + n.listeners.length, 0),
    skipped: status.skippedNamespaces?.length ?? 0,
  };
}

/** Runs the comparison; returns medians, the median of the rounds' ratios, and peak memory. */
export async function statusNetnsScale(namespaces = 1000, perNamespace = 10, rounds = 3) {
  const prefix = `synq-scale-${process.pid}-`;
  const names = Array.from({ length: namespaces }, (_, i) => `${prefix}${i}`);
  const onSignal = (signal: NodeJS.Signals) => {
    deleteAll(names);
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const setupStart = Date.now();
    ipBatch(names.map((n) => `netns add ${n}`));
    const files = namespaces * perNamespace + 1024;
    const holder = await spawnScenario([
      "prlimit",
      `--nofile=${files}:${files}`,
      process.execPath,
      "--import",
      "tsx",
      HOLDER,
      JSON.stringify([
        {
          netns: names,
          listeners: Array.from({ length: perNamespace }, (_, i) => ({
            address: "0.0.0.0",
            port: PORT_FROM + i,
            backlog: 128,
          })),
        },
      ] satisfies NetnsListeners),
    ]);
    const setupMs = Date.now() - setupStart;
    try {
      const seen = countOurs(prefix);
      if (seen.namespaces !== namespaces || seen.listeners !== namespaces * perNamespace) {
        throw new Error(`synq saw ${JSON.stringify(seen)} of ${namespaces} × ${perNamespace}`);
      }
      const base: number[] = [];
      const synq: number[] = [];
      const baseline = ["-all", "netns", "exec", "ss", "-Hltn"];
      const status = [BIN, "status", "--all-netns", "--json"];
      for (let i = 0; i < rounds; i++) {
        base.push(wall("ip", baseline));
        synq.push(wall(process.execPath, status));
      }
      const ratios = synq.map((s, i) => s / (base[i] as number));
      return {
        namespaces,
        listeners: seen.listeners,
        setupMs,
        ipAllNetnsSsMs: Math.round(median(base)),
        synqMs: Math.round(median(synq)),
        ratio: Math.round(median(ratios) * 100) / 100,
        budget: 0.5,
        peakRssMiB: Math.round(peakRssKiB(process.execPath, status) / 1024),
      };
    } finally {
      await holder.stop();
    }
  } finally {
    deleteAll(names);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await statusNetnsScale()));
}

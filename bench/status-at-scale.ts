/**
 * `synq status --json` at scale, as a ratio to the bare `ss` commands it needs
 * (budget ≤ 1.5×), and its peak memory. Builds N listeners and M SYN-RECV entries in a
 * private network namespace (root), then alternates baseline and synq runs.
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { SS_LISTENER_ARGS, SS_SYN_RECV_ARGS } from "../src/status/read-sockets-ss.js";
import {
  createNetns,
  deleteNetns,
  inNetns,
  setNetnsSysctl,
  startScenario,
} from "../test/helpers/netns.js";
import { median, peakRssKiB, wall } from "./measure.js";

const BIN = fileURLToPath(new URL("../bin/run.js", import.meta.url));

/**
 * The kernel retransmits every request's SYN-ACK 1, 3, 7, 15 and 31 s after its SYN (the
 * timeout doubles from 1 s): with 100,000 requests each burst loads the machine for a moment
 * and lands on whichever command runs then. Rounds start after the 31 s burst and, at 7
 * rounds (~12 s at 10,000 × 100,000), are done before the next one (63 s).
 */
const QUIET_FROM_MS = 33_000;

/**
 * A private namespace (root) with `listeners` listeners on 0.0.0.0:10000… and `synRecv`
 * requests in SYN-RECV spread over them, kept alive (SYN-ACK retries) for the whole run.
 * `stop()` ends the scenario and deletes the namespace.
 */
export async function scaleScenario(listeners: number, synRecv: number) {
  const ns = createNetns("synq-bench");
  try {
    setNetnsSysctl(ns, "net.ipv4.tcp_synack_retries", 20);
    const scenario = await startScenario(
      ns,
      {
        listenerRange: { address: "0.0.0.0", portFrom: 10000, count: listeners, backlog: 1024 },
        rawSyns: [
          {
            src: "192.0.2.7",
            dst: "127.0.0.1",
            dport: 10000,
            dportCount: listeners,
            count: synRecv,
            sportBase: 1024,
          },
        ],
        settleMs: 1000,
      },
      { maxFiles: listeners + 1024 },
    );
    return {
      ns,
      stop: async () => {
        await scenario.stop();
        deleteNetns(ns);
      },
    };
  } catch (err) {
    deleteNetns(ns);
    throw err;
  }
}

/** Runs one size; returns medians, the ratio and peak memory. */
export async function statusAtScale(listeners: number, synRecv: number, rounds = 7) {
  const { ns, stop } = await scaleScenario(listeners, synRecv);
  const readyAt = Date.now(); // settleMs after the last SYN
  try {
    const seen = inNetns(ns, "ss", SS_SYN_RECV_ARGS).split("\n").filter(Boolean).length;
    const listening = inNetns(ns, "ss", ["-H", "-l", "-t", "-n"])
      .split("\n")
      .filter(Boolean).length;
    const nsPath = `/run/netns/${ns}`;
    const base: number[] = [];
    const synq: number[] = [];
    const synqViaSs: number[] = [];
    const status = [BIN, "status", "--netns", ns, "--json"];
    const quietIn = readyAt + QUIET_FROM_MS - Date.now();
    if (quietIn > 0) await sleep(quietIn);
    for (let i = 0; i < rounds; i++) {
      base.push(
        wall("nsenter", [`--net=${nsPath}`, "--", "ss", ...SS_LISTENER_ARGS]) +
          wall("nsenter", [`--net=${nsPath}`, "--", "ss", ...SS_SYN_RECV_ARGS]),
      );
      synq.push(wall(process.execPath, status));
      synqViaSs.push(wall(process.execPath, status, { ...process.env, SYNQ_SOCKETS: "ss" }));
    }
    return {
      listeners: listening,
      synRecv: seen,
      ssMs: Math.round(median(base)),
      synqMs: Math.round(median(synq)),
      ratio: Math.round((median(synq) / median(base)) * 100) / 100,
      // The same command reading sockets through `ss` (SYNQ_SOCKETS=ss) instead of sock_diag.
      synqViaSsMs: Math.round(median(synqViaSs)),
      ratioViaSs: Math.round((median(synqViaSs) / median(base)) * 100) / 100,
      budget: 1.5,
      peakRssMiB: Math.round(peakRssKiB(process.execPath, status) / 1024),
    };
  } finally {
    await stop();
  }
}

export function kernelAndTools() {
  return {
    kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
    ss: execFileSync("ss", ["-V"], { encoding: "utf8" }).trim(),
    node: process.version,
  };
}

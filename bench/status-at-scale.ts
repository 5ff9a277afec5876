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

/** A namespace holding `listeners` listeners and `synRecv` SYN-RECV requests (see atScale). */
export interface ScaleScenario {
  ns: string;
  /** When the last SYN was settled (ms since the epoch). */
  readyAt: number;
  /** Listeners and SYN-RECV entries `ss` counts there. */
  listening: number;
  seen: number;
}

/**
 * Builds N listeners and M SYN-RECV entries in a private network namespace (root), runs `fn`
 * and removes everything, also when `fn` fails.
 */
export async function atScale<T>(
  listeners: number,
  synRecv: number,
  fn: (scenario: ScaleScenario) => Promise<T>,
): Promise<T> {
  const ns = createNetns("synq-bench");
  try {
    // Keep the request sockets alive for the whole run (SYN-ACK retries, at most 120 s apart).
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
    const readyAt = Date.now(); // settleMs after the last SYN
    try {
      const seen = inNetns(ns, "ss", SS_SYN_RECV_ARGS).split("\n").filter(Boolean).length;
      const listening = inNetns(ns, "ss", ["-H", "-l", "-t", "-n"])
        .split("\n")
        .filter(Boolean).length;
      return await fn({ ns, readyAt, listening, seen });
    } finally {
      await scenario.stop();
    }
  } finally {
    deleteNetns(ns);
  }
}

/** Waits for the quiet time after the SYN-ACK retransmission bursts (see QUIET_FROM_MS). */
export async function untilQuiet(readyAt: number): Promise<void> {
  const quietIn = readyAt + QUIET_FROM_MS - Date.now();
  if (quietIn > 0) await sleep(quietIn);
}

/** Runs one size; returns medians, the ratio and peak memory. */
export async function statusAtScale(listeners: number, synRecv: number, rounds = 7) {
  return atScale(listeners, synRecv, async ({ ns, readyAt, listening, seen }) => {
    const nsPath = `/run/netns/${ns}`;
    const base: number[] = [];
    const synq: number[] = [];
    const synqViaSs: number[] = [];
    const status = [BIN, "status", "--netns", ns, "--json"];
    await untilQuiet(readyAt);
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
  });
}

export function kernelAndTools() {
  return {
    kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
    ss: execFileSync("ss", ["-V"], { encoding: "utf8" }).trim(),
    node: process.version,
  };
}

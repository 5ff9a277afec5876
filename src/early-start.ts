// Only light modules here: every command imports this file before oclif.
import { readFileSync } from "node:fs";
import { startOwnerScanWorker } from "./native-pieces.js";
import { isNetnsPattern } from "./system/netns-glob.js";
import { NETNS_RUN_DIR, type NetnsTarget } from "./system/netns-target.js";

/**
 * The namespace `synq status ARGS` will read, when the arguments say so unambiguously; null
 * for anything else (another command, --help, --all-netns, a repeated, odd or pattern --netns).
 */
export function statusTargetOf(args: readonly string[]): NetnsTarget | null {
  if (args[0] !== "status") return null;
  let spec: string | undefined;
  let specs = 0;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") return null;
    if (arg === "--help" || arg === "-h" || arg === "--all-netns") return null;
    if (arg === "--netns") {
      spec = args[++i];
      specs++;
    } else if (arg.startsWith("--netns=")) {
      spec = arg.slice("--netns=".length);
      specs++;
    }
  }
  if (specs === 0) return { name: "", path: null };
  if (specs > 1 || spec === undefined || spec === "" || isNetnsPattern(spec)) return null;
  if (spec.startsWith("/")) return { name: spec, path: spec };
  if (spec.includes("/") || spec === "." || spec === "..") return null;
  return { name: spec, path: `${NETNS_RUN_DIR}/${spec}` };
}

/**
 * Imported by bin/run.js before oclif: `synq status` mostly waits for `ss`, and oclif takes
 * longer to load than `ss` needs to list 10,000 listeners, so the socket reads start first
 * and the command takes them over (readSocketsAhead). Arguments that oclif then rejects
 * only cost the reads; the command still validates everything itself.
 */
export async function startEarly(args: readonly string[]): Promise<void> {
  const target = statusTargetOf(args);
  if (!target) return;
  const { readSocketsAhead, wantsSs } = await import("./status/read-sockets.js");
  // Loaded now, so that the ss read below is spawned before oclif loads, not a turn later.
  if (wantsSs()) await import("./status/read-sockets-ss.js");
  if (openFiles() < WORKER_FROM_OPEN_FILES) {
    readSocketsAhead(target);
    return;
  }
  const { Worker } = await import("node:worker_threads");
  readSocketsAhead(target, () => scanSocketFdsInWorker(Worker));
}

/**
 * From how many open files the owner scan (one readlink per fd of every process) is worth a
 * worker thread: below, booting the thread costs more than the scan it takes over (at 1,000
 * listeners ~15 ms more; at 10,000 it saves ~30–50 ms).
 */
const WORKER_FROM_OPEN_FILES = 4096;

/** Files open system-wide (the first field of /proc/sys/fs/file-nr); 0 when unreadable. */
function openFiles(): number {
  try {
    return Number.parseInt(readFileSync("/proc/sys/fs/file-nr", "latin1"), 10) || 0;
  } catch {
    return 0;
  }
}

/**
 * Scans /proc for socket owners on the other core while this thread dumps sockets and loads
 * oclif: 10,000 readlinks take 50–100 ms, mostly in the kernel, and a worker boots in less.
 * The worker's file exists only in the bundle (dist/), where bin/run.js imports this from.
 */
function scanSocketFdsInWorker(
  Worker: typeof import("node:worker_threads").Worker,
): Promise<Float64Array> {
  return new Promise((resolve, reject) => {
    const worker = startOwnerScanWorker(
      Worker,
      () => new URL("./owner-scan-worker.js", import.meta.url),
    );
    worker.unref(); // never what keeps synq running
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`owner scan thread exited (${code})`)));
  });
}

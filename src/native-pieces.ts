// Where the npm install finds its native pieces: koffi's addon in node_modules, the system's
// libbpf.so.1, the BPF objects in the package's bpf/ directory. The single executable's build
// (scripts/release.mjs) puts src/release/native-pieces.ts, with the same exports, in its place.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { packageRoot } from "./package-root.js";

/** A file koffi's native addon must be loaded from; null: from node_modules (koffi.ts). */
export function koffiAddonFile(): string | null {
  return null;
}

/** What koffi.load() opens for libbpf: the system's, by its soname. */
export function libbpfFile(): string {
  return "libbpf.so.1";
}

/** The path of a compiled BPF object shipped in the package's bpf/ directory. */
export function bpfObjectFile(file: string): string {
  return join(packageRoot(), "bpf", file);
}

/**
 * Starts the owner-scan worker thread from its bundled file (`file()`: dist/owner-scan-worker.js,
 * resolved by the caller, which sits beside it).
 */
export function startOwnerScanWorker(WorkerClass: typeof Worker, file: () => URL): Worker {
  return new WorkerClass(file());
}

/**
 * Starts synq watch's sampling thread from its bundled file (`file()`: dist/watch-sample-worker.js);
 * null where it was not built (running from src/ under tsx).
 */
export function startWatchSampleWorker(
  WorkerClass: typeof Worker,
  workerData: object,
  file: () => string,
): Worker | null {
  const path = file();
  return existsSync(path) ? new WorkerClass(path, { workerData }) : null;
}

// The single executable's native pieces (see src/native-pieces.ts for the npm install's):
// koffi's addon, libbpf.so.1 and the BPF objects are SEA assets, loaded from an installed lib
// directory or extracted once into a private cache (native-cache.ts); the worker threads' code
// is an asset too, run as an eval worker.
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { getAsset } from "node:sea";
import type { Worker } from "node:worker_threads";
import { type NativeManifest, nativeDir } from "./native-cache.js";

// Set by scripts/release.mjs (esbuild's define).
declare const SYNQ_NATIVE_MANIFEST: NativeManifest;

/** The key under which a worker thread receives its parent's native directory. */
const WORKER_DATA_KEY = "synqNativeDir";

let dir: string | null = null;

function directory(): string {
  if (dir) return dir;
  // Loaded here rather than as the bundle loads: node:worker_threads costs every start ~1 ms.
  const { isMainThread, workerData } = process.getBuiltinModule("node:worker_threads");
  const fromParent = isMainThread ? undefined : workerData?.[WORKER_DATA_KEY];
  if (typeof fromParent === "string") {
    dir = fromParent;
    return dir;
  }
  dir = nativeDir(
    SYNQ_NATIVE_MANIFEST,
    (file) => new Uint8Array(getAsset(file)),
    process.env,
    realpathSync(process.execPath),
  );
  return dir;
}

export function koffiAddonFile(): string | null {
  return join(directory(), "koffi.node");
}

export function libbpfFile(): string {
  return join(directory(), "libbpf.so.1");
}

export function bpfObjectFile(file: string): string {
  return join(directory(), file);
}

export function startOwnerScanWorker(WorkerClass: typeof Worker, _file: () => URL): Worker {
  return new WorkerClass(getAsset("owner-scan-worker.cjs", "utf8"), {
    eval: true,
    workerData: { [WORKER_DATA_KEY]: directory() },
  });
}

export function startWatchSampleWorker(
  WorkerClass: typeof Worker,
  workerData: object,
  _file: () => string,
): Worker {
  return new WorkerClass(getAsset("watch-sample-worker.cjs", "utf8"), {
    eval: true,
    workerData: { ...workerData, [WORKER_DATA_KEY]: directory() },
  });
}

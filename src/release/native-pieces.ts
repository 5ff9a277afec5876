// The single executable's native pieces (see src/native-pieces.ts for the npm install's):
// koffi's addon, libbpf.so.1 and the BPF objects are SEA assets, loaded from an installed lib
// directory or extracted once into a private cache (native-cache.ts); the owner-scan worker's
// code is a string in the bundle, run as an eval worker.
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { getAsset } from "node:sea";
import { isMainThread, type Worker, workerData } from "node:worker_threads";
import { type NativeManifest, nativeDir } from "./native-cache.js";

// Set by scripts/release.mjs (esbuild's define).
declare const SYNQ_NATIVE_MANIFEST: NativeManifest;
declare const SYNQ_OWNER_SCAN_WORKER: string;
declare const SYNQ_WATCH_SAMPLE_WORKER: string;

/** The key under which a worker thread receives its parent's native directory. */
const WORKER_DATA_KEY = "synqNativeDir";

let dir: string | null = null;

function directory(): string {
  if (dir) return dir;
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
  return new WorkerClass(SYNQ_OWNER_SCAN_WORKER, {
    eval: true,
    workerData: { [WORKER_DATA_KEY]: directory() },
  });
}

export function startWatchSampleWorker(
  WorkerClass: typeof Worker,
  workerData: object,
  _file: () => string,
): Worker {
  return new WorkerClass(SYNQ_WATCH_SAMPLE_WORKER, {
    eval: true,
    workerData: { ...workerData, [WORKER_DATA_KEY]: directory() },
  });
}

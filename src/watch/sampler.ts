/**
 * Where the poll loop's samples come from: `synq status --interval`'s own services
 * (sampleTargets, statusFromSamples), each sample's rates taken against the one before, as
 * status --interval takes them. At 10,000 listeners a sample holds the thread for a few hundred
 * milliseconds (the sock_diag dump is synchronous) and ordering its listeners for the table
 * tens more, so the dashboard does both on a worker thread and its keys stay live; the same
 * sampler runs in-thread where the worker's file is not built (running from the sources).
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { SynqError } from "../errors.js";
import type { Status } from "../model/status.js";
import { startWatchSampleWorker } from "../native-pieces.js";
import { packageRoot } from "../package-root.js";
import {
  type KernelInfo,
  readKernelInfo,
  sampleTargets,
  statusFromSamples,
} from "../status/collect-status.js";
import type { NamespaceSample } from "../status/read-namespace.js";
import { selectNetns } from "../system/netns-select.js";
import type { NetnsTarget } from "../system/netns-target.js";
import { DEFAULT_PROC_ROOT } from "../system/proc.js";
import { type ListenerRow, problemRows } from "./frame-model.js";

/** What is sampled: the namespaces, the port, and whether a vanished namespace is skipped. */
export interface SampleRequest {
  /** The namespaces selected at start. */
  targets: NetnsTarget[];
  /**
   * `--all-netns`, patterns or several names: selected again before each sample, so that a
   * namespace created while watch runs appears and a deleted one leaves. Null: `targets` for
   * the whole run.
   */
  reselect: { specs: string[]; all: boolean } | null;
  port: number | null;
  procRoot?: string | undefined;
  skipVanished: boolean;
}

/** A target's identity from one sample to the next. */
function targetKey(t: NetnsTarget): string {
  return `${t.name}\0${t.path ?? ""}`;
}

/** A sample as the dashboard takes it: the status, and its listeners as table rows. */
export interface WatchSample {
  /** Its namespaces' listeners are left out when they come from the sampling thread. */
  status: Status;
  rows: ListenerRow[];
}

/** Takes samples one after the other; each status has rates from the previous sample on. */
export interface StatusSampler {
  sample(): Promise<WatchSample>;
  close(): Promise<void>;
}

/** Samples on this thread. */
export function inThreadSampler(req: SampleRequest): StatusSampler {
  const procRoot = req.procRoot ?? DEFAULT_PROC_ROOT;
  let kernel: KernelInfo | null = null;
  let before: Map<string, NamespaceSample | null> | null = null;
  const { reselect } = req;
  const currentTargets = async () =>
    reselect
      ? (await selectNetns(reselect.specs, { all: reselect.all, vanishedOk: true })).targets
      : req.targets;
  return {
    async sample() {
      kernel ??= await readKernelInfo(procRoot);
      const targets = await currentTargets();
      const now = await sampleTargets(targets, procRoot, req.skipVanished);
      // A namespace new since the last sample has no rates yet (undefined), as on the first.
      const previous = before && targets.map((t) => before?.get(targetKey(t)));
      const status = statusFromSamples(targets, previous, now, kernel, req.port);
      before = new Map(targets.map((t, i) => [targetKey(t), now[i] ?? null]));
      return { status, rows: problemRows(status) };
    },
    async close() {},
  };
}

/** A failure as it crosses from the worker: a SynqError keeps its kind and fix. */
export type SampleReply =
  | { ok: true; status: string; rows: string[] }
  | { ok: false; kind: SynqError["kind"] | null; message: string; fix?: string | undefined };

/** The worker's file in the npm install's bundle (scripts/build.mjs builds it beside cli.js). */
export function sampleWorkerFile(): string {
  return join(packageRoot(), "dist", "watch-sample-worker.js");
}

/** Samples on `worker`, a sampling thread started with `req` as its workerData. */
export function workerSampler(worker: Worker): StatusSampler {
  worker.unref();
  let pending: { resolve: (s: WatchSample) => void; reject: (e: Error) => void } | null = null;
  const fail = (err: Error) => {
    const p = pending;
    pending = null;
    p?.reject(err);
  };
  worker.on("message", (reply: SampleReply) => {
    const p = pending;
    pending = null;
    if (!p) return;
    if (reply.ok) parseSample(reply.status, reply.rows).then(p.resolve, p.reject);
    else
      p.reject(
        reply.kind ? new SynqError(reply.kind, reply.message, reply.fix) : new Error(reply.message),
      );
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the sampling thread exited (${code})`)));
  return {
    sample() {
      if (pending) return Promise.reject(new Error("a sample is already being taken"));
      return new Promise<WatchSample>((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage("sample");
      });
    },
    async close() {
      pending = null;
      await worker.terminate();
    },
  };
}

/** The sample from its JSON slices, one slice per turn of the event loop. */
async function parseSample(status: string, slices: string[]): Promise<WatchSample> {
  const rows: ListenerRow[] = [];
  for (const slice of slices) {
    for (const row of JSON.parse(slice) as ListenerRow[]) rows.push(row);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { status: JSON.parse(status) as Status, rows };
}

/**
 * Samples on a worker thread where the build has one (the npm install's bundle, the single
 * executable), else on this thread.
 */
export function statusSampler(req: SampleRequest): StatusSampler {
  const worker = startWatchSampleWorker(Worker, req, sampleWorkerFile);
  return worker ? workerSampler(worker) : inThreadSampler(req);
}

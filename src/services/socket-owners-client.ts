import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { SynqError } from "../errors.js";
import { packageRoot } from "../package-root.js";
import type { SocketOwner } from "../parsers/ss-listeners.js";
import { findSocketOwners } from "../sources/socket-owners.js";

/**
 * Runs the owner scan (one readlink per open file of every process: ~80 ms of kernel time for
 * 10,000 fds) on a worker thread, so it overlaps the socket dump and the CLI's own loading on
 * the main thread. Where no worker can start, the scan runs here instead.
 */

/** What the main thread asks the worker. */
export interface OwnerRequest {
  id: number;
  inodes: number[];
  procRoot: string;
}

/** The worker's answer. */
export interface OwnerResponse {
  id: number;
  owners: [number, SocketOwner[]][];
}

type Pending = { resolve: (m: Map<number, SocketOwner[]>) => void; reject: (e: Error) => void };

let worker: Worker | null | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

/** The bundled worker script; none when running from the TypeScript sources (tests). */
function workerScript(): string | null {
  if (import.meta.url.endsWith(".ts")) return null;
  const path = join(packageRoot(), "dist", "owner-worker.js");
  return existsSync(path) ? path : null;
}

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
  worker = null;
}

function onResponse(res: OwnerResponse): void {
  const p = pending.get(res.id);
  pending.delete(res.id);
  if (pending.size === 0) worker?.unref();
  p?.resolve(new Map(res.owners));
}

/** Starts the worker now, so that it has booted by the time there is something to scan. */
export function prestartOwnerWorker(): void {
  if (worker !== undefined) return;
  const script = workerScript();
  if (!script) {
    worker = null;
    return;
  }
  const w = new Worker(script);
  w.on("message", onResponse);
  w.on("error", (err) => failAll(new SynqError("systemRead", `owner scan: ${err.message}`)));
  w.on("exit", (code) => failAll(new SynqError("systemRead", `owner scan exited (${code})`)));
  w.unref(); // after the listeners: adding a "message" listener refs the worker's port again
  worker = w;
}

/** The processes holding each of `inodes`, found off the main thread when possible. */
export function socketOwners(
  inodes: ReadonlySet<number>,
  procRoot = "/proc",
): Promise<Map<number, SocketOwner[]>> {
  prestartOwnerWorker();
  const w = worker;
  if (!w || inodes.size === 0) {
    try {
      return Promise.resolve(findSocketOwners(inodes, procRoot));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  const id = nextId++;
  w.ref();
  const viaWorker = new Promise<Map<number, SocketOwner[]>>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    const req: OwnerRequest = { id, inodes: [...inodes], procRoot };
    w.postMessage(req);
  });
  // A worker that died says nothing about /proc: scan here instead.
  return viaWorker.catch(() => findSocketOwners(inodes, procRoot));
}

// Only light modules here: early-start.ts loads this before oclif.

import { withNetns } from "../system/enter-netns.js";
import type { NetnsTarget } from "../system/netns-target.js";
import type { OwnerLookup } from "../system/owner-cache.js";
import { SockDiagUnavailable } from "../system/sock-diag.js";
import { findSocketOwners, ownersIn } from "../system/socket-owners.js";
import { dumpSockets, type SocketReading, withOwners } from "./read-sockets-diag.js";

/** Which way sockets are read: SYNQ_SOCKETS=ss forces `ss`, for comparison or old systems. */
export function wantsSs(): boolean {
  return process.env.SYNQ_SOCKETS === "ss";
}

/**
 * Lists listeners and counts SYN-RECV entries: straight from the kernel over sock_diag, or with
 * `ss` where sock_diag cannot be used (no FFI on this platform, a kernel without tcp_diag).
 * Owners come from `lookupOwners` when given (a long-running reader's cache), else from
 * `scanOwners` (started before the dump, to run beside it), or from a scan on this thread when
 * that fails or is not given.
 */
export function readSockets(
  target: NetnsTarget,
  scanOwners?: () => Promise<Float64Array>,
  lookupOwners?: OwnerLookup,
): Promise<SocketReading> {
  if (!wantsSs()) {
    const scanning = lookupOwners ? undefined : scanOwners?.();
    scanning?.catch(() => {});
    let dump: SocketReading | null = null;
    try {
      // Synchronous on purpose: the dump is done before the caller goes on (see early-start.ts).
      dump = withNetns(target.path, target.name, dumpSockets);
    } catch (err) {
      if (!(err instanceof SockDiagUnavailable)) return Promise.reject(err);
    }
    if (dump) {
      const done = dump;
      const inodes = new Set<number>();
      for (const l of done.listeners) if (l.inode !== null) inodes.add(l.inode);
      const owners = lookupOwners
        ? lookupOwners(inodes)
        : scanning
          ? scanning.then(
              (table) => ownersIn(table, inodes),
              () => findSocketOwners(inodes),
            )
          : Promise.resolve().then(() => findSocketOwners(inodes));
      return owners.then((found) => withOwners(done, found));
    }
  }
  return import("./read-sockets-ss.js").then((m) => m.readSocketsWithSs(target));
}

const readsAhead = new Map<string | null, Promise<SocketReading>>();

/**
 * Starts reading a namespace's sockets now, for the next sampleNamespace() of that namespace
 * to take over (see early-start.ts). A failure surfaces there, or nowhere if none comes.
 */
export function readSocketsAhead(
  target: NetnsTarget,
  scanOwners?: () => Promise<Float64Array>,
): void {
  const reading = readSockets(target, scanOwners);
  reading.catch(() => {});
  readsAhead.set(target.path, reading);
}

/** The reading started ahead for `target`, once. */
export function takeReadAhead(target: NetnsTarget): Promise<SocketReading> | undefined {
  const reading = readsAhead.get(target.path);
  readsAhead.delete(target.path);
  return reading;
}

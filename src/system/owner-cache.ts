/**
 * Who holds a socket, for a long-running reader (the tracer): one scan of /proc (the same as
 * `synq status` makes, socket-owners.ts) maps every socket inode to its holders; a socket inode
 * not seen before triggers the next scan, at most once per `rescanMs`, and every answer is
 * cached; an inode no process held is asked about again only after `rescanMs`.
 */
import type { SocketOwner } from "../parsers/listener-socket.js";
import { ownersIn, scanSocketFds } from "./socket-owners.js";

/** Every socket's holders, each process once (its lowest fd), pid order. */
function scanOwnersByProcess(procRoot: string): Map<number, SocketOwner[]> {
  const byInode = ownersIn(scanSocketFds(procRoot), null, procRoot);
  for (const [inode, owners] of byInode) {
    byInode.set(
      inode,
      owners.filter((o, i) => i === 0 || owners[i - 1]?.pid !== o.pid),
    );
  }
  return byInode;
}

/** Resolves socket inodes to owners with a cache; scans are shared and rate-limited. */
export class OwnerResolver {
  private cache = new Map<number, SocketOwner[]>();
  /** Inodes no scan found, and when the last scan that missed them ended. */
  private missing = new Map<number, number>();
  private scanning: Promise<void> | null = null;
  private lastScan = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly procRoot = "/proc",
    private readonly rescanMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The owners known for `ino` without waiting (empty when unknown). */
  known(ino: number): SocketOwner[] {
    return this.cache.get(ino) ?? [];
  }

  /** The owners of `ino`, scanning /proc when it has not been seen (0: no socket). */
  async resolve(ino: number): Promise<SocketOwner[]> {
    if (ino === 0) return [];
    const hit = this.cache.get(ino);
    if (hit) return hit;
    const missedAt = this.missing.get(ino);
    if (missedAt !== undefined && this.now() - missedAt < this.rescanMs) return [];
    if (!this.scanning && this.now() - this.lastScan >= this.rescanMs) {
      this.lastScan = this.now();
      this.scanning = Promise.resolve().then(() => {
        for (const [k, v] of scanOwnersByProcess(this.procRoot)) this.cache.set(k, v);
        this.scanning = null;
      });
    }
    if (this.scanning) await this.scanning;
    const after = this.cache.get(ino);
    if (after) return after;
    // Nobody holds it (closed, or in another pid namespace), or it is newer than the scan.
    this.missing.set(ino, this.now());
    return [];
  }
}

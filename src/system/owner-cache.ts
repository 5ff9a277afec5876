/**
 * Who holds a socket, for long-running readers: one scan of /proc (the same as `synq status`
 * makes, socket-owners.ts) maps socket inodes to their holders, and the answers are kept.
 * OwnerResolver (the tracer) asks one inode at a time; ListenerOwnerCache (the exporter) asks
 * for every listener of a sample at once.
 */
import type { SocketOwner } from "../parsers/listener-socket.js";
import { ownersIn, scanSocketFds } from "./socket-owners.js";

/** The holders of some socket inodes, each listed as status lists them (every fd, pid order). */
export type OwnerLookup = (inodes: ReadonlySet<number>) => Promise<Map<number, SocketOwner[]>>;

/** Gives each sample (one collection over its namespaces) its owner lookup. */
export interface OwnerSource {
  sample(): OwnerLookup;
}

/**
 * Listener owners kept between the samples of a long-running reader (the exporter), so a
 * scrape does not read every fd of every process each time. A sample scans /proc only when it
 * has a listener inode not seen in the previous sample, or when the last scan is older than
 * `refreshMs` (a socket passed to another process, a worker that took over, shows within that
 * time); at most one scan per sample, shared by its namespaces. Only the inodes of the last
 * sample are kept: memory follows the listeners, not every socket the host ever had.
 */
export class ListenerOwnerCache implements OwnerSource {
  private known = new Map<number, SocketOwner[]>();
  private scannedAt = Number.NEGATIVE_INFINITY;
  /** How many scans of /proc the cache has made (for tests and benchmarks). */
  scans = 0;

  constructor(
    private readonly procRoot = "/proc",
    private readonly refreshMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The lookup of one sample; the one before it answers for inodes seen then. */
  sample(): OwnerLookup {
    const previous = this.known;
    const current = new Map<number, SocketOwner[]>();
    this.known = current;
    let table: Float64Array | undefined;
    // async: a failed scan becomes a rejection, as a worker's would.
    return async (inodes) => {
      const stale = this.now() - this.scannedAt >= this.refreshMs;
      const unseen = () => {
        for (const ino of inodes) if (!previous.has(ino) && !current.has(ino)) return true;
        return false;
      };
      // Synchronous: the namespaces of a sample cannot start two scans.
      if (table === undefined && (stale || unseen())) {
        table = scanSocketFds(this.procRoot);
        this.scannedAt = this.now();
        this.scans++;
      }
      const found = table ? ownersIn(table, inodes, this.procRoot) : null;
      const answer = new Map<number, SocketOwner[]>();
      for (const ino of inodes) {
        const owners = found
          ? (found.get(ino) ?? [])
          : (previous.get(ino) ?? current.get(ino) ?? []);
        current.set(ino, owners);
        answer.set(ino, owners);
      }
      return answer;
    };
  }
}

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

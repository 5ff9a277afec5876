/**
 * Who holds a listener's socket: /proc/PID/fd/N links reading `socket:[INODE]`, as `ss -p`
 * finds them. One scan of /proc maps every socket inode to its holders; a socket inode not
 * seen before triggers the next scan, at most once per `rescanMs`, and every answer is
 * cached; an inode no process held is asked about again only after `rescanMs`.
 */
import { readdir, readFile, readlink } from "node:fs/promises";

/** A process holding a socket. */
export interface SocketOwner {
  pid: number;
  command: string;
}

/** Scans `procRoot` once: socket inode → holders (each pid once), pid order. */
export async function scanSocketOwners(procRoot = "/proc"): Promise<Map<number, SocketOwner[]>> {
  const owners = new Map<number, SocketOwner[]>();
  let pids: string[];
  try {
    pids = (await readdir(procRoot)).filter((d) => /^\d+$/.test(d));
  } catch {
    return owners;
  }
  pids.sort((a, b) => Number(a) - Number(b));
  await Promise.all(
    pids.map(async (pid) => {
      let fds: string[];
      try {
        fds = await readdir(`${procRoot}/${pid}/fd`);
      } catch {
        return; // gone, or not ours to read
      }
      const inodes = new Set<number>();
      await Promise.all(
        fds.map(async (fd) => {
          try {
            const m = /^socket:\[(\d+)\]$/.exec(await readlink(`${procRoot}/${pid}/fd/${fd}`));
            if (m) inodes.add(Number(m[1]));
          } catch {
            /* closed meanwhile */
          }
        }),
      );
      if (inodes.size === 0) return;
      let command = "?";
      try {
        command = (await readFile(`${procRoot}/${pid}/comm`, "utf8")).trim();
      } catch {
        /* gone */
      }
      for (const ino of inodes) {
        const list = owners.get(ino) ?? [];
        list.push({ pid: Number(pid), command });
        owners.set(ino, list);
      }
    }),
  );
  for (const list of owners.values()) list.sort((a, b) => a.pid - b.pid);
  return owners;
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
      this.scanning = scanSocketOwners(this.procRoot).then((found) => {
        for (const [k, v] of found) this.cache.set(k, v);
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

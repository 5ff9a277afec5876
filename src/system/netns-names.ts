/**
 * Names for network namespace inodes: the /run/netns entry (`ip netns add NAME`) whose file
 * is that namespace. Read once, and again (at most once per `rescanMs`) when an inode is not
 * known, since namespaces come and go while synq traces.
 */
import { readdir, stat } from "node:fs/promises";
import { NETNS_RUN_DIR } from "./netns.js";

/** Reads /run/netns: inode → name (the first name, sorted, when one has several). */
export async function scanNetnsNames(runDir = NETNS_RUN_DIR): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  let entries: string[];
  try {
    entries = (await readdir(runDir)).sort();
  } catch {
    return names;
  }
  await Promise.all(
    entries.map(async (name) => {
      try {
        const s = await stat(`${runDir}/${name}`);
        if (!names.has(s.ino)) names.set(s.ino, name);
      } catch {
        /* deleted meanwhile */
      }
    }),
  );
  return names;
}

/** Inode → /run/netns name, cached, rescanned on a miss. */
export class NetnsNames {
  private names = new Map<number, string>();
  private lastScan = Number.NEGATIVE_INFINITY;
  private scanning: Promise<void> | null = null;

  constructor(
    private readonly runDir = NETNS_RUN_DIR,
    private readonly rescanMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The name known now, without waiting. */
  known(inode: number): string | null {
    return this.names.get(inode) ?? null;
  }

  /** The name of `inode`, or null when it has none. */
  async resolve(inode: number): Promise<string | null> {
    const hit = this.names.get(inode);
    if (hit !== undefined) return hit;
    if (!this.scanning && this.now() - this.lastScan >= this.rescanMs) {
      this.lastScan = this.now();
      this.scanning = scanNetnsNames(this.runDir).then((found) => {
        this.names = found;
        this.scanning = null;
      });
    }
    if (this.scanning) await this.scanning;
    return this.names.get(inode) ?? null;
  }
}

/**
 * Labels for network namespace inodes as the tracer meets them, the same as `synq status`
 * gives (scanNetns): "" for synq's own, the /run/netns name, else `pid:<n>`. Scanned once,
 * and again (at most once per `rescanMs`) when an inode is not known, since namespaces come
 * and go while synq traces.
 */
import { NETNS_RUN_DIR, scanNetns } from "./netns.js";

/** Inode → label, cached, rescanned on a miss. */
export class NetnsLabels {
  private labels = new Map<number, string>();
  private lastScan = Number.NEGATIVE_INFINITY;
  private scanning: Promise<void> | null = null;

  constructor(
    private readonly runDir = NETNS_RUN_DIR,
    private readonly procRoot = "/proc",
    private readonly rescanMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The label known now, without waiting; null when none is known (yet). */
  known(inode: number): string | null {
    return this.labels.get(inode) ?? null;
  }

  /** The label of `inode`, or null when no /run/netns entry and no process holds it. */
  async resolve(inode: number): Promise<string | null> {
    const hit = this.labels.get(inode);
    if (hit !== undefined) return hit;
    if (!this.scanning && this.now() - this.lastScan >= this.rescanMs) {
      this.lastScan = this.now();
      this.scanning = scanNetns(this.runDir, this.procRoot).then((found) => {
        // Labels once given stay: a namespace keeps its name while synq runs.
        for (const [ino, t] of found) if (!this.labels.has(ino)) this.labels.set(ino, t.name);
        this.scanning = null;
      });
    }
    if (this.scanning) await this.scanning;
    return this.labels.get(inode) ?? null;
  }
}

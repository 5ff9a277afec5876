/**
 * Running synchronous work (netlink calls, `ip`) inside another network namespace: setns(2)
 * on the calling thread, the work, then back. Node's main thread is the only one that calls
 * libbpf, so nothing else sees the switch. The namespace file stays open for as long as the
 * handle lives, so the namespace (and what synq attached in it) cannot vanish under synq.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { SynqError } from "../errors.js";
import { ffi } from "../ffi/libbpf.js";

const CLONE_NEWNET = 0x40000000;

let setnsFn: ((fd: number, nstype: number) => number) | null = null;

function setns(fd: number): void {
  if (!setnsFn) {
    setnsFn = ffi().load("libc.so.6").func("int setns(int fd, int nstype)") as (
      fd: number,
      nstype: number,
    ) => number;
  }
  if (setnsFn(fd, CLONE_NEWNET) !== 0) {
    const errno = ffi().errno();
    throw new SynqError(
      errno === 1 ? "permission" : "systemRead",
      `entering a network namespace failed (errno ${errno})`,
      errno === 1 ? "run synq as root (setns needs CAP_SYS_ADMIN)" : undefined,
    );
  }
}

/** An open network namespace; `close()` is idempotent. */
export class NetnsHandle {
  private fd: number | null;
  /** The namespace file it was opened from (for messages). */
  readonly path: string;
  /** Its inode: what the BPF side sees as the listener's `net->ns.inum`. */
  readonly inode: number;

  private constructor(fd: number, path: string) {
    this.fd = fd;
    this.path = path;
    this.inode = fstatSync(fd).ino;
  }

  /** Opens a namespace file (/run/netns/NAME, /proc/PID/ns/net). */
  static open(path: string): NetnsHandle {
    try {
      return new NetnsHandle(openSync(path, "r"), path);
    } catch (err) {
      throw new SynqError(
        "badInput",
        `cannot open network namespace ${path} (${(err as NodeJS.ErrnoException).code})`,
        "list the named namespaces with `ip netns list`",
      );
    }
  }

  /** The namespace this thread is in now. */
  static current(): NetnsHandle {
    return NetnsHandle.open("/proc/thread-self/ns/net");
  }

  /** Runs `fn` inside this namespace and always comes back to the current one. */
  run<T>(fn: () => T): T {
    if (this.fd === null) throw new Error("NetnsHandle used after close()");
    const home = openSync("/proc/thread-self/ns/net", "r");
    try {
      if (fstatSync(home).ino === this.inode) return fn();
      setns(this.fd);
      try {
        return fn();
      } finally {
        setns(home);
      }
    } finally {
      closeSync(home);
    }
  }

  /** Closes the namespace file; safe to call twice. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}

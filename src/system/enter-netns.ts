/**
 * Running synchronous work (sock_diag dumps, /proc/thread-self/net reads, netlink calls, `ip`)
 * inside another network namespace: setns(2) on the calling thread, the work, then back.
 * setns(CLONE_NEWNET) moves only the calling thread, and the work is synchronous, so no other
 * JavaScript runs in the wrong namespace; node's own threads never move.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { SynqError } from "../errors.js";
import { errnoName } from "../ffi/koffi.js";
import { lastErrno, libc, syscallError } from "../ffi/libc.js";
import { Errno } from "./errno.js";
import { NetnsGoneError, openNetnsFile } from "./netns-file.js";

const CLONE_NEWNET = 0x40000000;

/** A descriptor of the namespace synq started in, to come back to after withNetns(). */
let homeFd: number | null = null;

function setnsOrThrow(fd: number, name: string): void {
  if (libc().setns(fd, CLONE_NEWNET) === 0) return;
  const errno = lastErrno();
  // Resolving checked that it was a namespace: `ip netns delete` unmounted it since.
  if (errno === Errno.EINVAL) throw new NetnsGoneError(name);
  throw syscallError(
    errno,
    `entering network namespace ${name} was refused (setns: ${errnoName(errno)})`,
    errno === Errno.EPERM
      ? "run synq as root (entering a namespace needs CAP_SYS_ADMIN)"
      : undefined,
  );
}

function openNetns(path: string, name: string): number {
  try {
    return openNetnsFile(path);
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") throw new NetnsGoneError(name);
    throw err;
  }
}

/**
 * Runs `fn` with this thread inside the network namespace at `path` (null: where it is), then
 * comes back. Sockets and /proc/thread-self/net files opened meanwhile stay bound to that
 * namespace.
 */
export function withNetns<T>(path: string | null, name: string, fn: () => T): T {
  if (path === null) return fn();
  homeFd ??= openSync("/proc/thread-self/ns/net", "r");
  const fd = openNetns(path, name);
  try {
    setnsOrThrow(fd, name);
  } finally {
    closeSync(fd);
  }
  try {
    return fn();
  } finally {
    setnsOrThrow(homeFd, "of synq itself");
  }
}

/**
 * An open network namespace, for the tracer: the namespace file stays open for as long as the
 * handle lives, so the namespace (and what synq attached in it) cannot vanish under synq.
 * `close()` is idempotent.
 */
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
      return new NetnsHandle(openNetnsFile(path), path);
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
      setnsOrThrow(this.fd, this.path);
      try {
        return fn();
      } finally {
        setnsOrThrow(home, "of synq itself");
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

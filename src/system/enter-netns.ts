import { closeSync, openSync } from "node:fs";
import { errnoName } from "../ffi/koffi.js";
import { lastErrno, libc, syscallError } from "../ffi/libc.js";
import { NetnsGoneError, openNetnsFile } from "./netns-file.js";

const CLONE_NEWNET = 0x40000000;
const EINVAL = 22;

/** A descriptor of the namespace synq started in, to come back to after withNetns(). */
let homeFd: number | null = null;

function setnsOrThrow(fd: number, name: string): void {
  if (libc().setns(fd, CLONE_NEWNET) === 0) return;
  const errno = lastErrno();
  // Resolving checked that it was a namespace: `ip netns delete` unmounted it since.
  if (errno === EINVAL) throw new NetnsGoneError(name);
  throw syscallError(
    errno,
    `entering network namespace ${name} was refused (setns: ${errnoName(errno)})`,
    errno === 1 ? "run synq as root (entering a namespace needs CAP_SYS_ADMIN)" : undefined,
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
 * namespace. setns(CLONE_NEWNET) moves only the calling thread, and `fn` is synchronous, so no
 * other JavaScript runs in the wrong namespace; node's own threads never move.
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

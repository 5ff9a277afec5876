import { readdirSync, readFileSync } from "node:fs";
import { type Libc, libc } from "../ffi/libc.js";
import type { SocketOwner } from "../parsers/ss-listeners.js";

const O_RDONLY = 0;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
/** `socket:[` as bytes: the start of a socket fd's link. */
const SOCKET_LINK = [...Buffer.from("socket:[")];
/** Room for `socket:[4294967295]`; longer links are not sockets and come back truncated. */
const LINK_BUFFER = 32;

/** A process's command name (comm), or `?` when it exited meanwhile. */
function commandOf(procRoot: string, pid: string): string {
  try {
    return readFileSync(`${procRoot}/${pid}/comm`, "utf8").replace(/\n$/, "");
  } catch {
    return "?";
  }
}

/** The inode of a `socket:[INODE]` link in `link[0, length)`, or -1 for anything else. */
function socketInode(link: Uint8Array, length: number): number {
  if (length <= SOCKET_LINK.length + 1 || link[length - 1] !== 93) return -1; // `]`
  for (let i = 0; i < SOCKET_LINK.length; i++) if (link[i] !== SOCKET_LINK[i]) return -1;
  let inode = 0;
  for (let i = SOCKET_LINK.length; i < length - 1; i++) {
    const digit = (link[i] as number) - 48;
    if (digit < 0 || digit > 9) return -1;
    inode = inode * 10 + digit;
  }
  return inode;
}

/** The fd numbers of one process and the socket inode each links to (-1: not a socket). */
function socketFds(c: Libc, fdDir: string, link: Uint8Array): [number, number][] | null {
  const dirfd = c.open(fdDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) return null;
  try {
    const found: [number, number][] = [];
    for (const fd of readdirSync(fdDir)) {
      // readlinkat from the open directory: no path walk through /proc per fd, no strings.
      const inode = socketInode(link, c.readlinkat(dirfd, fd, link, link.length));
      if (inode >= 0) found.push([Number(fd), inode]);
    }
    return found.sort((a, b) => a[0] - b[0]);
  } catch {
    return null; // the process exited between open and readdir
  } finally {
    c.close(dirfd);
  }
}

/**
 * Finds the processes holding the sockets `inodes`, as `ss -p` does: every /proc/PID/fd/N whose
 * link reads `socket:[INODE]`. Processes whose fds cannot be read (gone, or another user's
 * without privileges) are skipped, as ss skips them. Owners come by pid, then fd.
 * One readlink per open file of every process: ~5 µs each, mostly in the kernel (a worker
 * thread to overlap it costs more than it saves on two cores).
 */
export function findSocketOwners(
  inodes: ReadonlySet<number>,
  procRoot = "/proc",
): Map<number, SocketOwner[]> {
  const owners = new Map<number, SocketOwner[]>();
  if (inodes.size === 0) return owners;
  const c = libc();
  const link = new Uint8Array(LINK_BUFFER);
  const pids = readdirSync(procRoot)
    .filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)
    .sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) {
    const fds = socketFds(c, `${procRoot}/${pid}/fd`, link);
    let command: string | null = null;
    for (const [fd, inode] of fds ?? []) {
      if (!inodes.has(inode)) continue;
      command ??= commandOf(procRoot, pid);
      const owner = { command, pid: Number(pid), fd };
      const list = owners.get(inode);
      if (list) list.push(owner);
      else owners.set(inode, [owner]);
    }
  }
  return owners;
}

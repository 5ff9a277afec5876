import { readdirSync, readFileSync } from "node:fs";
import { type Libc, lastErrno, libc } from "../ffi/libc.js";
import { HOST_LE } from "../net/byte-order.js";
import type { SocketOwner } from "../parsers/listener-socket.js";

const O_RDONLY = 0;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
/** `socket:[` as bytes: the start of a socket fd's link. */
const SOCKET_LINK = [...Buffer.from("socket:[")];
/** Room for `socket:[4294967295]`; longer links are not sockets and come back truncated. */
const LINK_BUFFER = 32;

/** A process's command name (comm), or `?` when it exited meanwhile. */
function commandOf(procRoot: string, pid: number): string {
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
  return decimal(link, SOCKET_LINK.length, length - 1);
}

/** `pid, fd, inode` triples in a Float64Array that grows as they come. */
class Triples {
  private data = new Float64Array(3 * 1024);
  length = 0;

  push(pid: number, fd: number, inode: number): void {
    if (this.length + 3 > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = pid;
    this.data[this.length++] = fd;
    this.data[this.length++] = inode;
  }

  /** Puts the triples from `from` on (one process's) in fd order, if its directory was not. */
  sortByFd(from: number): void {
    let sorted = true;
    for (let i = from + 4; i < this.length && sorted; i += 3) {
      sorted = (this.data[i - 3] as number) < (this.data[i] as number);
    }
    if (sorted) return;
    const rows: [number, number, number][] = [];
    for (let i = from; i < this.length; i += 3) {
      rows.push([this.data[i] as number, this.data[i + 1] as number, this.data[i + 2] as number]);
    }
    rows.sort((a, b) => a[1] - b[1]);
    this.data.set(rows.flat(), from);
  }

  /** The triples, in an array of their own. */
  take(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** A decimal number in `bytes[from, to)`, or -1 for anything else. */
function decimal(bytes: Uint8Array, from: number, to: number): number {
  if (from >= to) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Room for a few thousand directory entries per getdents64 call. */
const DIRENT_BUFFER = 64 * 1024;
/** struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name. */
const DIRENT_RECLEN = 16;
const DIRENT_NAME = 19;

/** Reads process directories: fd names straight from getdents64 where libc has it. */
class FdScanner {
  private readonly link = new Uint8Array(LINK_BUFFER);
  private readonly dirents: Uint8Array | null;
  private readonly view: DataView | null;

  constructor(private readonly c: Libc) {
    this.dirents = c.getdents64 ? new Uint8Array(DIRENT_BUFFER) : null;
    this.view = this.dirents ? new DataView(this.dirents.buffer) : null;
  }

  /** Adds `pid, fd, inode` for each socket among one process's fds, by fd. */
  addProcess(fdDir: string, pid: number, table: Triples): void {
    const dirfd = this.c.open(fdDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) return; // gone, or another user's without privileges
    const from = table.length;
    try {
      if (this.dirents) this.addFromDirents(dirfd, pid, table);
      else this.addFromNames(dirfd, fdDir, pid, table);
      table.sortByFd(from);
    } catch {
      table.length = from; // the process exited between open and readdir
    } finally {
      this.c.close(dirfd);
    }
  }

  /** The socket inode fd `name` (a string or NUL-terminated bytes) links to, else -1. */
  private inodeOf(dirfd: number, name: string | Uint8Array): number {
    // readlinkat from the open directory: no path walk through /proc per fd.
    const length = this.c.readlinkat(dirfd, name, this.link, this.link.length);
    return socketInode(this.link, length);
  }

  private addFromDirents(dirfd: number, pid: number, table: Triples): void {
    const getdents64 = this.c.getdents64 as NonNullable<Libc["getdents64"]>;
    const bytes = this.dirents as Uint8Array;
    const view = this.view as DataView;
    for (;;) {
      const n = getdents64(dirfd, bytes, bytes.length);
      if (n < 0) throw new Error(`getdents64 failed: errno ${lastErrno()}`);
      if (n === 0) return;
      for (let at = 0; at < n; at += view.getUint16(at + DIRENT_RECLEN, HOST_LE)) {
        let end = at + DIRENT_NAME;
        while (bytes[end] !== 0) end++;
        const fd = decimal(bytes, at + DIRENT_NAME, end); // -1 for `.` and `..`
        if (fd < 0) continue;
        const inode = this.inodeOf(dirfd, bytes.subarray(at + DIRENT_NAME, end + 1));
        if (inode >= 0) table.push(pid, fd, inode);
      }
    }
  }

  private addFromNames(dirfd: number, fdDir: string, pid: number, table: Triples): void {
    for (const name of readdirSync(fdDir)) {
      const inode = this.inodeOf(dirfd, name);
      if (inode >= 0) table.push(pid, Number(name), inode);
    }
  }
}

/**
 * Every socket fd of every process we may look into, as `ss -p` finds them: each
 * /proc/PID/fd/N whose link reads `socket:[INODE]`. Flat triples `pid, fd, inode`, by pid then
 * fd, in one array that can be handed between threads without copying. Processes whose fds
 * cannot be read (gone, or another user's without privileges) are skipped, as ss skips them.
 * One readlink per open file of every process: ~5 µs each, mostly in the kernel.
 */
export function scanSocketFds(procRoot = "/proc", c: Libc = libc()): Float64Array {
  const scanner = new FdScanner(c);
  const pids = readdirSync(procRoot)
    .filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)
    .map(Number)
    .sort((a, b) => a - b);
  const table = new Triples();
  for (const pid of pids) scanner.addProcess(`${procRoot}/${pid}/fd`, pid, table);
  return table.take();
}

/**
 * The holders of the sockets `inodes` (null: of every socket) in a scanSocketFds table, with
 * their command names, by pid then fd.
 */
export function ownersIn(
  table: Float64Array,
  inodes: ReadonlySet<number> | null,
  procRoot = "/proc",
): Map<number, SocketOwner[]> {
  const owners = new Map<number, SocketOwner[]>();
  const commands = new Map<number, string>();
  for (let i = 0; i + 2 < table.length; i += 3) {
    const inode = table[i + 2] as number;
    if (inodes !== null && !inodes.has(inode)) continue;
    const pid = table[i] as number;
    let command = commands.get(pid);
    if (command === undefined) {
      command = commandOf(procRoot, pid);
      commands.set(pid, command);
    }
    const owner = { command, pid, fd: table[i + 1] as number };
    const list = owners.get(inode);
    if (list) list.push(owner);
    else owners.set(inode, [owner]);
  }
  return owners;
}

/** The processes holding the sockets `inodes`, by pid then fd (see scanSocketFds). */
export function findSocketOwners(
  inodes: ReadonlySet<number>,
  procRoot = "/proc",
): Map<number, SocketOwner[]> {
  if (inodes.size === 0) return new Map();
  return ownersIn(scanSocketFds(procRoot), inodes, procRoot);
}

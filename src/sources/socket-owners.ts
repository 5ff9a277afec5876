import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { SocketOwner } from "../parsers/ss-listeners.js";

const SOCKET_LINK = "socket:[";

/** A process's command name (comm), or `?` when it exited meanwhile. */
function commandOf(procRoot: string, pid: string): string {
  try {
    return readFileSync(`${procRoot}/${pid}/comm`, "utf8").replace(/\n$/, "");
  } catch {
    return "?";
  }
}

/**
 * Finds the processes holding the sockets `inodes`, as `ss -p` does: every /proc/PID/fd/N
 * whose link reads `socket:[INODE]`. Processes whose fds cannot be read (gone, or another
 * user's without privileges) are skipped, as ss skips them. Owners come by pid, then fd.
 * Each readlink costs ~8 µs of kernel time, once per open file of every process: callers run
 * this off the main thread (owner-worker.ts).
 */
export function findSocketOwners(
  inodes: ReadonlySet<number>,
  procRoot = "/proc",
): Map<number, SocketOwner[]> {
  const owners = new Map<number, SocketOwner[]>();
  if (inodes.size === 0) return owners;
  const pids = readdirSync(procRoot)
    .filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)
    .sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) {
    const fdDir = `${procRoot}/${pid}/fd/`;
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch {
      continue;
    }
    let command: string | null = null;
    for (const fd of fds.sort((a, b) => Number(a) - Number(b))) {
      let link: string;
      try {
        link = readlinkSync(fdDir + fd);
      } catch {
        continue;
      }
      if (!link.startsWith(SOCKET_LINK)) continue;
      const inode = Number(link.slice(SOCKET_LINK.length, -1));
      if (!inodes.has(inode)) continue;
      command ??= commandOf(procRoot, pid);
      const owner = { command, pid: Number(pid), fd: Number(fd) };
      const list = owners.get(inode);
      if (list) list.push(owner);
      else owners.set(inode, [owner]);
    }
  }
  return owners;
}

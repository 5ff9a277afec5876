import { closeSync, openSync, readFileSync } from "node:fs";
import { SynqError } from "../errors.js";
import { withNetns } from "./enter-netns.js";
import type { NetnsTarget } from "./netns-target.js";

/** /proc/net is /proc/self/net, which follows the process's main thread, not the caller. */
function threadPath(path: string): string {
  return path.startsWith("/proc/net/") ? `/proc/thread-self/net/${path.slice(10)}` : path;
}

/**
 * Reads small /proc files as another network namespace sees them: they are opened from inside
 * it (/proc/net/* and /proc/sys/net/* bind to the opener's namespace) and read back home.
 * A file that does not exist there maps to null.
 */
export function readFilesInNetns(
  target: NetnsTarget,
  paths: readonly string[],
): Map<string, string | null> {
  const fds = withNetns(target.path, target.name, () =>
    paths.map((path) => {
      try {
        return openSync(threadPath(path), "r");
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return null;
        throw new SynqError(
          "systemRead",
          `cannot read ${path} in network namespace ${target.name}: ${(err as Error).message}`,
        );
      }
    }),
  );
  try {
    return new Map(paths.map((path, i) => [path, readText(fds[i] ?? null)]));
  } finally {
    for (const fd of fds) if (fd !== null) closeSync(fd);
  }
}

function readText(fd: number | null): string | null {
  return fd === null ? null : readFileSync(fd, "utf8");
}

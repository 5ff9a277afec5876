/** Resolves --cgroup to a directory of the cgroup v2 hierarchy (what the cgroup strategy attaches to). */
import { existsSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { SynqError } from "../errors.js";

/**
 * `wanted` as an absolute cgroup directory: a path under the hierarchy's mount `root`, or one
 * relative to it (e.g. system.slice/nginx.service). Symbolic links are resolved first.
 */
export function resolveCgroup(wanted: string, root: string | null): string {
  if (root === null) {
    throw new SynqError(
      "kernelUnsupported",
      "--cgroup needs a cgroup v2 hierarchy, and none is mounted",
      "mount one: mount -t cgroup2 none /sys/fs/cgroup",
    );
  }
  const notACgroup = () =>
    new SynqError(
      "badInput",
      `--cgroup ${JSON.stringify(wanted)} is not a cgroup under ${root}`,
      `give a directory of that hierarchy, absolute or relative to it (e.g. system.slice/nginx.service)`,
    );
  const candidate = isAbsolute(wanted) ? wanted : join(root, wanted);
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    throw notACgroup();
  }
  const rootReal = realpathSync(root);
  const inside = real === rootReal || real.startsWith(`${rootReal}/`);
  if (!inside || !statSync(real).isDirectory() || !existsSync(join(real, "cgroup.procs"))) {
    throw notACgroup();
  }
  return real;
}

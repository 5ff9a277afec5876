import { readdir, stat } from "node:fs/promises";
import { SynqError } from "../errors.js";
import { netnsFileState, notNetnsFile } from "./netns-file.js";
import { currentNetns, NETNS_RUN_DIR, type NetnsTarget } from "./netns-target.js";

export { NETNS_RUN_DIR };

/** Resolves `--netns NAME` to its namespace file, or a clear error if there is none. */
export async function namedNetns(name: string, runDir = NETNS_RUN_DIR): Promise<NetnsTarget> {
  if (name === "" || name.includes("/") || name === "." || name === "..") {
    throw new SynqError("badInput", `invalid network namespace name ${JSON.stringify(name)}`);
  }
  const path = `${runDir}/${name}`;
  const state = netnsFileState(path);
  if (state === "missing") {
    throw new SynqError(
      "badInput",
      `network namespace "${name}" does not exist (no ${path})`,
      "list the named namespaces with `ip netns list`",
    );
  }
  // Being created or deleted by `ip netns`, or not made by it at all.
  if (state === "other") throw notNetnsFile(path);
  return { name, path };
}

/** Named namespaces (sorted), for `--all-netns`. A missing /run/netns means there are none. */
export async function listNamedNetns(runDir = NETNS_RUN_DIR): Promise<NetnsTarget[]> {
  let names: string[];
  try {
    names = await readdir(runDir);
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return [];
    throw new SynqError("systemRead", `cannot list ${runDir}: ${(err as Error).message}`);
  }
  return names.sort().map((name) => ({ name, path: `${runDir}/${name}` }));
}

/** The inode of a namespace file (the `4026531840` of `net:[4026531840]`), or null if gone. */
export async function netnsInode(path: string): Promise<number | null> {
  try {
    return (await stat(path)).ino;
  } catch {
    return null;
  }
}

/**
 * Every network namespace of the host by inode, labelled the one way synq labels them in every
 * command: `""` for the one synq runs in, else its /run/netns name (the first, sorted), else
 * `pid:<n>` after the lowest pid holding it (containers). Insertion order: this one, the
 * named ones, then by pid.
 */
export async function scanNetns(
  runDir = NETNS_RUN_DIR,
  procRoot = "/proc",
): Promise<Map<number, NetnsTarget>> {
  const found = new Map<number, NetnsTarget>();
  const own = await netnsInode("/proc/self/ns/net");
  if (own !== null) found.set(own, currentNetns);
  for (const t of await listNamedNetns(runDir)) {
    const ino = await netnsInode(t.path as string);
    if (ino !== null && !found.has(ino)) found.set(ino, t);
  }
  const pids = (await readdir(procRoot))
    .filter((d) => /^\d+$/.test(d))
    .sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) {
    const path = `${procRoot}/${pid}/ns/net`;
    const ino = await netnsInode(path);
    if (ino !== null && !found.has(ino)) found.set(ino, { name: `pid:${pid}`, path });
  }
  return found;
}

/** Every network namespace worth visiting for `--all-netns`, this one first (see scanNetns). */
export async function discoverNetns(
  runDir = NETNS_RUN_DIR,
  procRoot = "/proc",
): Promise<NetnsTarget[]> {
  const others = [...(await scanNetns(runDir, procRoot)).values()].filter((t) => t.path !== null);
  return [currentNetns, ...others];
}

/** Resolves `--netns`: a name in /run/netns, or a namespace file path such as /proc/PID/ns/net. */
export async function resolveNetns(spec: string, runDir = NETNS_RUN_DIR): Promise<NetnsTarget> {
  if (!spec.startsWith("/")) return namedNetns(spec, runDir);
  const state = netnsFileState(spec);
  if (state === "denied") {
    throw new SynqError(
      "permission",
      `cannot open network namespace file ${spec}: permission denied`,
      "run synq as root (another process's namespace needs CAP_SYS_ADMIN)",
    );
  }
  if (state === "missing") {
    throw new SynqError(
      "badInput",
      `network namespace file ${spec} does not exist`,
      "pass a /run/netns name or /proc/PID/ns/net",
    );
  }
  if (state === "other") throw notNetnsFile(spec);
  return { name: spec, path: spec };
}

import { readdir, stat } from "node:fs/promises";
import { SynqError } from "../errors.js";
import { netnsFileState, notNetnsFile } from "./netns-file.js";
import type { NetnsTarget } from "./netns-target.js";

/** Where `ip netns add` puts named network namespaces. */
export const NETNS_RUN_DIR = "/run/netns";

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

/** Identity of a namespace file (`net:[4026531840]`), to avoid visiting one namespace twice. */
export async function netnsId(path: string): Promise<string | null> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

/** Identity of this process's own network namespace. */
export function ownNetnsId(): Promise<string | null> {
  return netnsId("/proc/self/ns/net");
}

/**
 * Every network namespace worth visiting for `--all-netns`: the current one, the named ones,
 * and unnamed ones held by processes (containers), named `pid:<n>` after their first process.
 */
export async function discoverNetns(
  runDir = NETNS_RUN_DIR,
  procRoot = "/proc",
): Promise<NetnsTarget[]> {
  const seen = new Set<string>();
  const targets: NetnsTarget[] = [{ name: "", path: null }];
  const own = await ownNetnsId();
  if (own) seen.add(own);
  for (const t of await listNamedNetns(runDir)) {
    const id = await netnsId(t.path as string);
    if (id === null || seen.has(id)) continue;
    seen.add(id);
    targets.push(t);
  }
  const pids = (await readdir(procRoot))
    .filter((d) => /^\d+$/.test(d))
    .sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) {
    const path = `${procRoot}/${pid}/ns/net`;
    const id = await netnsId(path);
    if (id === null || seen.has(id)) continue;
    seen.add(id);
    targets.push({ name: `pid:${pid}`, path });
  }
  return targets;
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

import { SynqError } from "../errors.js";
import {
  discoverNetns,
  listNamedNetns,
  NETNS_RUN_DIR,
  netnsInode,
  resolveNetns,
  scanNetns,
} from "./netns.js";
import { netnsFileState } from "./netns-file.js";
import { isNetnsPattern, netnsGlob } from "./netns-glob.js";
import { currentNetns, type NetnsTarget } from "./netns-target.js";

/** The namespaces a command was asked for, and whether they make one merged view. */
export interface NetnsSelection {
  targets: NetnsTarget[];
  /**
   * True for `--all-netns`, a pattern or several specs: a view over many namespaces, where one
   * that vanishes while being read is skipped with a note. False for no spec or one exact spec.
   */
  merged: boolean;
}

/** Where namespaces are looked up (tests point these at stand-ins). */
export interface SelectOptions {
  all?: boolean;
  /**
   * A long-running reader (the exporter) selecting again for each collection: a pattern that
   * matches nothing now selects nothing, and a name whose namespace is gone is kept, to be
   * skipped when read, instead of either being an error.
   */
  vanishedOk?: boolean;
  runDir?: string;
  procRoot?: string;
}

function noMatch(pattern: string): SynqError {
  return new SynqError(
    "badInput",
    `no network namespace matches "${pattern}"`,
    "list them with `ip netns list`",
  );
}

/** Whether `spec` names a namespace file that does not exist (now). */
function isGone(spec: string, runDir: string): boolean {
  return netnsFileState(goneTarget(spec, runDir).path as string) === "missing";
}

/** The target `spec` names, as resolveNetns would give it had the namespace been there. */
function goneTarget(spec: string, runDir: string): NetnsTarget {
  return { name: spec, path: spec.startsWith("/") ? spec : `${runDir}/${spec}` };
}

/**
 * What a pattern is matched against, by namespace inode: every /run/netns name (a namespace
 * may have several: `ip netns attach`) and the `pid:<n>` labels of unnamed ones. The namespace
 * synq runs in (label "") is there only under a /run/netns name of its own.
 */
async function patternSubjects(
  scanned: Map<number, NetnsTarget>,
  runDir: string,
): Promise<Array<[string, number]>> {
  const subjects: Array<[string, number]> = [];
  for (const [ino, t] of scanned) if (t.path !== null) subjects.push([t.name, ino]);
  for (const t of await listNamedNetns(runDir)) {
    const ino = await netnsInode(t.path as string);
    if (ino !== null && scanned.has(ino)) subjects.push([t.name, ino]);
  }
  return subjects;
}

/**
 * Resolves `--netns` values (repeatable) or `--all-netns` to the namespaces to read. A value is
 * a /run/netns name, a namespace file path, or a pattern (netns-glob.ts) over the names in
 * /run/netns and the `pid:<n>` labels (see patternSubjects). Several values, or a pattern, make
 * a union without repeats (by inode) in scanNetns's order, each namespace labelled as scanNetns
 * labels it; a path the scan does not know (a namespace file bind-mounted elsewhere) comes
 * last, under its path.
 */
export async function selectNetns(
  specs: readonly string[],
  opts: SelectOptions = {},
): Promise<NetnsSelection> {
  const runDir = opts.runDir ?? NETNS_RUN_DIR;
  const procRoot = opts.procRoot ?? "/proc";
  if (opts.all) {
    if (specs.length) {
      throw new SynqError("usage", "--all-netns cannot be combined with --netns");
    }
    return { targets: await discoverNetns(runDir, procRoot), merged: true };
  }
  const [only] = specs;
  if (only === undefined) return { targets: [currentNetns], merged: false };
  const resolve = (spec: string) =>
    resolveNetns(spec, runDir).catch((err: unknown) => {
      if (opts.vanishedOk && isGone(spec, runDir)) return goneTarget(spec, runDir);
      throw err;
    });
  if (specs.length === 1 && !isNetnsPattern(only)) {
    return { targets: [await resolve(only)], merged: false };
  }

  const scanned = await scanNetns(runDir, procRoot);
  const subjects = specs.some(isNetnsPattern) ? await patternSubjects(scanned, runDir) : [];
  const chosen = new Set<number>();
  const unscanned = new Map<number | string, NetnsTarget>();
  for (const spec of specs) {
    if (isNetnsPattern(spec)) {
      const re = netnsGlob(spec);
      const matches = subjects.filter(([name]) => re.test(name));
      if (!matches.length && !opts.vanishedOk) throw noMatch(spec);
      for (const [, ino] of matches) chosen.add(ino);
      continue;
    }
    const target = await resolve(spec);
    const path = target.path as string;
    // Gone since it was resolved: kept under its path, to be skipped when read.
    const ino = (await netnsInode(path)) ?? path;
    if (typeof ino === "number" && scanned.has(ino)) chosen.add(ino);
    else if (!unscanned.has(ino)) unscanned.set(ino, target);
  }
  const inScanOrder = [...scanned].filter(([ino]) => chosen.has(ino)).map(([, t]) => t);
  return { targets: [...inScanOrder, ...unscanned.values()], merged: true };
}

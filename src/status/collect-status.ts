import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { SynqError } from "../errors.js";
import {
  describeSynQueueRule,
  type SynQueueRule,
  synQueueRule,
} from "../kernel/syn-queue-limit.js";
import {
  runningKernelRelease,
  runningKernelVersionText,
  upstreamKernelVersion,
} from "../kernel/version.js";
import { STATUS_SCHEMA_VERSION } from "../model/schema-versions.js";
import type { NamespaceStatus, SkippedNamespace, Status } from "../model/status.js";
import { NetnsGoneError } from "../system/netns-file.js";
import type { NetnsTarget } from "../system/netns-target.js";
import type { OwnerSource } from "../system/owner-cache.js";
import { DEFAULT_PROC_ROOT, readProcFile } from "../system/proc.js";
import { scanSocketFds } from "../system/socket-owners.js";
import { buildNamespaceStatus } from "./build-status.js";
import { mapBounded } from "./map-bounded.js";
import { type NamespaceSample, sampleNamespace } from "./read-namespace.js";

/** What `synq status` was asked for. */
export interface StatusRequest {
  /** The namespaces to read (selectNetns gives at least one; none reads none). */
  targets: NetnsTarget[];
  port: number | null;
  intervalSeconds: number | null;
  procRoot?: string;
  /**
   * A merged view (`--all-netns`, patterns, several `--netns`): a namespace that goes away
   * between listing and reading is left out with a note. Otherwise (one namespace asked for by
   * name) that is the "does not exist" error.
   */
  skipVanished?: boolean;
  /** Socket owners kept between collections (the exporter); without it, each sample scans /proc. */
  owners?: OwnerSource;
}

/**
 * The socket-owner scan of one sample, run once (after the first namespace's dump, which is
 * synchronous) however many namespaces ask for it.
 */
function oneOwnerScan(): () => Promise<Float64Array> {
  let scan: Promise<Float64Array> | undefined;
  return () => {
    scan ??= Promise.resolve().then(() => scanSocketFds());
    return scan;
  };
}

/**
 * How many namespaces are read at once. Over sock_diag a namespace is read synchronously, one
 * at a time whatever this says; through `ss` each is two processes, and 1,000 namespaces at
 * once were 2,000 of them.
 */
export const NAMESPACES_AT_ONCE = Math.max(2, availableParallelism());

/**
 * One sample of every target, a few namespaces side by side (`null` where a namespace went
 * away and `skipVanished` says to leave it out). `status --interval` takes two, `watch` one a
 * tick, `export` one a scrape: all through here. `owners`: socket owners kept between samples
 * (the exporter); without it, each sample scans /proc.
 */
export function sampleTargets(
  targets: readonly NetnsTarget[],
  procRoot: string,
  skipVanished: boolean,
  owners?: OwnerSource,
): Promise<(NamespaceSample | null)[]> {
  const lookupOwners = owners?.sample();
  const scanOwners = lookupOwners ? undefined : oneOwnerScan();
  return mapBounded(targets, NAMESPACES_AT_ONCE, (t) =>
    sampleNamespace(t, procRoot, scanOwners, lookupOwners).catch((err: unknown) => {
      if (skipVanished && err instanceof NetnsGoneError) return null;
      throw err;
    }),
  );
}

/** The running kernel as the status model names it, and its SYN-queue rule. */
export interface KernelInfo {
  release: string;
  rule: SynQueueRule;
}

/** Reads the running kernel's release and the SYN-queue rule it follows. */
export async function readKernelInfo(procRoot: string): Promise<KernelInfo> {
  const release = runningKernelRelease();
  const signature = await readProcFile(procRoot, "version_signature");
  const version = upstreamKernelVersion(release, runningKernelVersionText(), signature);
  if (!version) {
    throw new SynqError("kernelUnsupported", `cannot read the kernel version from "${release}"`);
  }
  return { release, rule: synQueueRule(version) };
}

/**
 * The status model from the latest sample of each target and, for rates, the one before it
 * (`before` null: a single snapshot, no rates). Index i of both belongs to targets[i].
 */
export function statusFromSamples(
  targets: readonly NetnsTarget[],
  before: readonly (NamespaceSample | null | undefined)[] | null,
  now: readonly (NamespaceSample | null)[],
  kernel: KernelInfo,
  port: number | null,
): Status {
  const namespaces: NamespaceStatus[] = [];
  const skippedNamespaces: SkippedNamespace[] = [];
  let intervalSeconds: number | null = null;
  targets.forEach((t, i) => {
    // undefined: not sampled before (a namespace new since then); null: gone when it was.
    const previous = before === null ? undefined : before[i];
    const current = now[i] ?? null;
    if (current === null || previous === null) {
      skippedNamespaces.push({ netns: t.name, reason: "went away while synq read it" });
      return;
    }
    if (previous !== undefined) intervalSeconds ??= (current.takenAt - previous.takenAt) / 1000;
    namespaces.push(
      buildNamespaceStatus(current, previous ?? null, { netns: t.name, rule: kernel.rule, port }),
    );
  });
  // Typed by the zod schema (src/model/status.ts); the tests parse real outputs with it.
  // Not re-validated here: with 10,000 listeners that alone costs more than ss takes.
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    kernel: { release: kernel.release, synQueueRule: describeSynQueueRule(kernel.rule) },
    intervalSeconds,
    namespaces,
    ...(skippedNamespaces.length ? { skippedNamespaces } : {}),
  };
}

/** Collects the status of every requested namespace, a few side by side. */
export async function collectStatus(req: StatusRequest): Promise<Status> {
  const procRoot = req.procRoot ?? DEFAULT_PROC_ROOT;
  const targets = req.targets;
  const skipVanished = req.skipVanished ?? false;
  // Start ss first; the rest is done while it runs. A failure of the sampling meanwhile is
  // re-thrown by the await below, not left unhandled.
  const sampling = sampleTargets(targets, procRoot, skipVanished, req.owners);
  sampling.catch(() => {});
  const kernel = await readKernelInfo(procRoot);
  const first = await sampling;
  if (req.intervalSeconds === null)
    return statusFromSamples(targets, null, first, kernel, req.port);
  await sleep(req.intervalSeconds * 1000);
  const second = await sampleTargets(targets, procRoot, skipVanished, req.owners);
  const status = statusFromSamples(targets, first, second, kernel, req.port);
  return { ...status, intervalSeconds: req.intervalSeconds };
}

import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { SynqError } from "../errors.js";
import { describeSynQueueRule, synQueueRule } from "../kernel/syn-queue-limit.js";
import {
  runningKernelRelease,
  runningKernelVersionText,
  upstreamKernelVersion,
} from "../kernel/version.js";
import { STATUS_SCHEMA_VERSION } from "../model/schema-versions.js";
import type { NamespaceStatus, SkippedNamespace, Status } from "../model/status.js";
import { NetnsGoneError } from "../system/netns-file.js";
import { currentNetns, type NetnsTarget } from "../system/netns-target.js";
import { DEFAULT_PROC_ROOT, readProcFile } from "../system/proc.js";
import { scanSocketFds } from "../system/socket-owners.js";
import { buildNamespaceStatus } from "./build-status.js";
import { mapBounded } from "./map-bounded.js";
import { sampleNamespace } from "./read-namespace.js";

/** What `synq status` was asked for. */
export interface StatusRequest {
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

/** Collects the status of every requested namespace, a few side by side. */
export async function collectStatus(req: StatusRequest): Promise<Status> {
  const procRoot = req.procRoot ?? DEFAULT_PROC_ROOT;
  const targets = req.targets.length ? req.targets : [currentNetns];
  // Start ss first; the rest is done while it runs. A failure of the sampling meanwhile is
  // re-thrown by the await below, not left unhandled.
  const sampleAll = () => {
    const scanOwners = oneOwnerScan();
    return mapBounded(targets, NAMESPACES_AT_ONCE, (t) =>
      sampleNamespace(t, procRoot, scanOwners).catch((err: unknown) => {
        if (req.skipVanished && err instanceof NetnsGoneError) return null;
        throw err;
      }),
    );
  };
  const sampling = sampleAll();
  sampling.catch(() => {});

  const release = runningKernelRelease();
  const signature = await readProcFile(procRoot, "version_signature");
  const version = upstreamKernelVersion(release, runningKernelVersionText(), signature);
  if (!version) {
    throw new SynqError("kernelUnsupported", `cannot read the kernel version from "${release}"`);
  }
  const rule = synQueueRule(version);
  const first = await sampling;
  let second = first;
  if (req.intervalSeconds !== null) {
    await sleep(req.intervalSeconds * 1000);
    second = await sampleAll();
  }
  const namespaces: NamespaceStatus[] = [];
  const skippedNamespaces: SkippedNamespace[] = [];
  targets.forEach((t, i) => {
    const before = first[i] ?? null;
    const now = second[i] ?? null;
    if (before === null || now === null) {
      skippedNamespaces.push({ netns: t.name, reason: "went away while synq read it" });
      return;
    }
    const previous = req.intervalSeconds === null ? null : before;
    namespaces.push(buildNamespaceStatus(now, previous, { netns: t.name, rule, port: req.port }));
  });
  // Typed by the zod schema (src/model/status.ts); the tests parse real outputs with it.
  // Not re-validated here: with 10,000 listeners that alone costs more than ss takes.
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    kernel: { release, synQueueRule: describeSynQueueRule(rule) },
    intervalSeconds: req.intervalSeconds,
    namespaces,
    ...(skippedNamespaces.length ? { skippedNamespaces } : {}),
  };
}

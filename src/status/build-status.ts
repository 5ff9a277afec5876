import { COUNTERS } from "../kernel/counter-catalog.js";
import { type SynQueueRule, synQueueLimit } from "../kernel/syn-queue-limit.js";
import { SYSCTLS } from "../kernel/sysctl-catalog.js";
import type { Counter, Listener, NamespaceStatus, SysctlValue } from "../model/status.js";
import { formatEndpoint } from "../parsers/address.js";
import type { ListenerSocket } from "../parsers/listener-socket.js";
import { attributeSynRecv } from "./attribute-syn-recv.js";
import { findProblems } from "./findings.js";
import type { NamespaceSample } from "./read-namespace.js";

function percent(part: number, whole: number): number {
  if (whole <= 0) return part > 0 ? 100 : 0;
  return Math.round((part / whole) * 1000) / 10;
}

function rate(now: number | null, before: number | null | undefined, seconds: number | null) {
  if (seconds === null || now === null || before === null || before === undefined) return null;
  return Math.max(0, now - before) / seconds;
}

function listenerIdentity(l: ListenerSocket): string {
  return `${l.inode ?? ""}|${formatEndpoint(l.local)}|${l.local.device ?? ""}`;
}

function sysctlValues(sample: NamespaceSample): SysctlValue[] {
  return SYSCTLS.map((spec) => {
    const value = sample.sysctls.get(spec.key) ?? null;
    return {
      key: spec.key,
      value,
      meaning: value === null ? "not present on this kernel" : spec.describe(value),
    };
  });
}

function counterValues(
  sample: NamespaceSample,
  before: NamespaceSample | null,
  seconds: number | null,
) {
  return COUNTERS.map((spec): Counter => {
    const read = (s: NamespaceSample | null) => {
      const v = s?.counters[spec.group]?.[spec.name];
      return v === undefined ? null : Number(v);
    };
    const value = read(sample);
    const isGauge = spec.name === "CurrEstab";
    return {
      name: `${spec.group}.${spec.name}`,
      value,
      perSecond: isGauge ? null : rate(value, read(before), seconds),
      meaning: spec.meaning,
    };
  });
}

/** Options that shape one namespace's status. */
export interface BuildOptions {
  netns: string;
  rule: SynQueueRule;
  port: number | null;
}

/**
 * Turns a sample (and, with --interval, the sample taken before it) into the status model:
 * queue fill levels, SYN-RECV attribution, SYN-queue limits, counters, rates and findings.
 */
export function buildNamespaceStatus(
  sample: NamespaceSample,
  before: NamespaceSample | null,
  opts: BuildOptions,
): NamespaceStatus {
  const seconds = before ? (sample.takenAt - before.takenAt) / 1000 : null;
  const syncookies = sample.sysctls.get("net.ipv4.tcp_syncookies") ?? null;
  const maxSynBacklog = sample.sysctls.get("net.ipv4.tcp_max_syn_backlog") ?? null;
  const attribution = attributeSynRecv(sample.listeners, sample.synRecv);
  const dropsBefore = new Map(before?.listeners.map((l) => [listenerIdentity(l), l.drops]) ?? []);
  const locals = sample.listeners.map((l) => formatEndpoint(l.local));
  const groupSize = new Map<string, number>();
  for (const k of locals) groupSize.set(k, (groupSize.get(k) ?? 0) + 1);

  const listeners = sample.listeners
    .map((l, i): Listener => {
      const local = locals[i] as string;
      const synDepth = attribution.perListener[i] ?? 0;
      const limit = synQueueLimit(opts.rule, l.backlog, syncookies, maxSynBacklog);
      const family =
        l.local.family === "any"
          ? "dual"
          : l.local.family === "inet6" && l.v6only === false
            ? "dual"
            : l.local.family;
      return {
        netns: opts.netns,
        local,
        address: l.local.address,
        port: l.local.port,
        family,
        device: l.local.device,
        // By pid, then fd, whichever way the sockets were read (ss lists newest first).
        processes:
          l.owners.length > 1
            ? [...l.owners].sort((a, b) => a.pid - b.pid || a.fd - b.fd)
            : l.owners,
        inode: l.inode,
        acceptQueue: {
          depth: l.acceptQueue,
          backlog: l.backlog,
          // The queue takes backlog + 1 entries before sk_acceptq_is_full() drops.
          fillPercent: percent(l.acceptQueue, l.backlog + 1),
        },
        synQueue: {
          depth: synDepth,
          limit,
          fillPercent: percent(synDepth, limit),
          sharedWith: (groupSize.get(local) ?? 1) - 1,
        },
        drops: l.drops,
        dropsPerSecond: before
          ? rate(l.drops, dropsBefore.get(listenerIdentity(l)), seconds)
          : null,
      };
    })
    .filter((l) => opts.port === null || l.port === opts.port)
    .sort((a, b) => a.port - b.port || a.local.localeCompare(b.local));

  const sysctls = sysctlValues(sample);
  const counters = counterValues(sample, before, seconds);
  const findings = findProblems({
    netns: opts.netns,
    sysctls: sample.sysctls,
    listeners,
    counters,
    intervalSeconds: seconds,
  });
  return {
    netns: opts.netns,
    sysctls,
    listeners,
    synRecvUnattributed: attribution.unattributed,
    counters,
    findings,
  };
}

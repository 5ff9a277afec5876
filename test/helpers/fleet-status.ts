import { COUNTERS } from "../../src/kernel/counter-catalog.js";
import { describeSynQueueRule } from "../../src/kernel/syn-queue-limit.js";
import { SYSCTLS } from "../../src/kernel/sysctl-catalog.js";
import { STATUS_SCHEMA_VERSION, type Status } from "../../src/model/status.js";
import type { ListenerSocket } from "../../src/parsers/listener-socket.js";
import { buildNamespaceStatus } from "../../src/status/build-status.js";
import type { NamespaceSample } from "../../src/status/read-namespace.js";

/** A fleet of namespaces like a host of containers: the same listeners in each. */
export interface FleetOptions {
  /** Namespaces in all: synq's own ("") and cust-1, cust-2, … */
  namespaces: number;
  listenersPerNamespace: number;
  /** Namespaces whose first listener overflows: accept queue full, drops and ListenOverflows. */
  overflowing?: readonly string[];
  /** Namespaces with their own value of a sysctl, by name then key. */
  sysctls?: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  /** Sample twice, this far apart: the overflowing listeners drop 10 per second. */
  intervalSeconds?: number | null;
}

/** Debian's defaults, as a fresh namespace has them. */
const DEFAULT_SYSCTLS: Readonly<Record<string, number>> = {
  "net.core.somaxconn": 4096,
  "net.ipv4.tcp_max_syn_backlog": 2048,
  "net.ipv4.tcp_syncookies": 1,
  "net.ipv4.tcp_synack_retries": 5,
  "net.ipv4.tcp_syn_retries": 6,
  "net.ipv4.tcp_abort_on_overflow": 0,
  "net.ipv4.tcp_timestamps": 1,
  "net.ipv4.tcp_window_scaling": 1,
  "net.ipv4.tcp_sack": 1,
  "net.ipv4.tcp_ecn": 2,
  "net.ipv4.tcp_fastopen": 1,
  "net.ipv4.tcp_migrate_req": 0,
};

/** The names fleetStatus gives its namespaces: "" first, then cust-1 … */
export function fleetNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? "" : `cust-${i}`));
}

function sample(
  netns: string,
  index: number,
  opts: FleetOptions,
  dropsNow: number,
  takenAt: number,
): NamespaceSample {
  const own = opts.sysctls?.[netns] ?? {};
  const sysctls = new Map(
    SYSCTLS.map((s) => [
      s.key,
      s.key in own ? (own[s.key] ?? null) : (DEFAULT_SYSCTLS[s.key] ?? 0),
    ]),
  );
  const listeners: ListenerSocket[] = Array.from({ length: opts.listenersPerNamespace }, (_, i) => {
    const overflows = dropsNow > 0 && i === 0;
    return {
      local: { address: "0.0.0.0", port: i === 0 ? 80 : 8000 + i, device: null, family: "inet" },
      acceptQueue: overflows ? 512 : 0,
      backlog: 511,
      owners: [{ command: "nginx", pid: 1000 + index, fd: 6 + i }],
      drops: overflows ? dropsNow : 0,
      inode: 100_000 + index * 1000 + i,
      uid: 0,
      v6only: null,
    };
  });
  const zero = (group: string) =>
    Object.fromEntries(COUNTERS.filter((c) => c.group === group).map((c) => [c.name, 0n]));
  const tcpExt = zero("TcpExt");
  tcpExt.ListenOverflows = BigInt(dropsNow);
  tcpExt.ListenDrops = BigInt(dropsNow);
  return {
    sysctls,
    counters: { TcpExt: tcpExt, Tcp: zero("Tcp") },
    listeners,
    synRecv: [],
    takenAt,
  };
}

/**
 * A status of `namespaces` namespaces built as `synq status --all-netns` builds it (real
 * findings, real fill levels), from generated samples. Overflowing namespace k (0-based) has
 * dropped 100 × (k + 1) times.
 */
export function fleetStatus(opts: FleetOptions): Status {
  const seconds = opts.intervalSeconds ?? null;
  const overflowing = opts.overflowing ?? [];
  const rule = "backlog-plus-one" as const;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: "2026-01-01T00:00:00.000Z",
    kernel: { release: "6.18.44-fc-v1272", synQueueRule: describeSynQueueRule(rule) },
    intervalSeconds: seconds,
    namespaces: fleetNames(opts.namespaces).map((netns, index) => {
      const k = overflowing.indexOf(netns);
      const drops = k === -1 ? 0 : 100 * (k + 1);
      const before =
        seconds === null ? null : sample(netns, index, opts, Math.max(0, drops - 10 * seconds), 0);
      const now = sample(netns, index, opts, drops, (seconds ?? 0) * 1000);
      return buildNamespaceStatus(now, before, { netns, rule, port: null });
    }),
  };
}

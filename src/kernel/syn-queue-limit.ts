import { atLeast, type KernelVersion } from "./version.js";

/** How a kernel decides that a listener's SYN queue (request sockets) is full. */
export type SynQueueRule = "pre-4.4-table" | "backlog" | "backlog-plus-one";

/**
 * Stable releases that carry upstream 3479c7549fb1 ("tcp/dccp: allow a connection when
 * sk_max_ack_backlog is zero", v6.13): it changed inet_csk_reqsk_queue_is_full()
 * (include/net/inet_connection_sock.h) from `qlen >= sk_max_ack_backlog` to `qlen >
 * sk_max_ack_backlog`. The 6.1 backport was posted for 6.1.125 (stable review, 2025-01-15);
 * the others are the releases of the same stable batch. Measured here: 6.18 keeps backlog+1
 * request sockets (backlog 4 → 5 SYN-RECV with tcp_syncookies=0).
 */
const FIX_BACKPORTS: readonly KernelVersion[] = [
  [6, 12, 10],
  [6, 6, 72],
  [6, 1, 125],
  [5, 15, 177],
  [5, 10, 233],
  [5, 4, 289],
];

/** Which SYN-queue rule the given kernel implements. */
export function synQueueRule(version: KernelVersion): SynQueueRule {
  // v4.4 ef547f2ac16b ("tcp: remove max_qlen_log") made the cap the listener's own backlog.
  if (!atLeast(version, [4, 4, 0])) return "pre-4.4-table";
  if (atLeast(version, [6, 13, 0])) return "backlog-plus-one";
  const branch = FIX_BACKPORTS.find((v) => v[0] === version[0] && v[1] === version[1]);
  return branch && atLeast(version, branch) ? "backlog-plus-one" : "backlog";
}

/** What a rule means, for humans. */
export function describeSynQueueRule(rule: SynQueueRule): string {
  switch (rule) {
    case "pre-4.4-table":
      return "SYN queue holds roundup_pow_of_two(max(8, min(backlog, tcp_max_syn_backlog)) + 1) requests (kernel < 4.4)";
    case "backlog":
      return "SYN queue holds `backlog` requests (full when qlen >= sk_max_ack_backlog)";
    case "backlog-plus-one":
      return "SYN queue holds `backlog + 1` requests (full when qlen > sk_max_ack_backlog)";
  }
}

function roundUpPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Number of request sockets a listener keeps before new SYNs are answered with cookies or
 * dropped. With tcp_syncookies=0, tcp_conn_request() (net/ipv4/tcp_input.c) also drops SYNs
 * from peers without TCP metrics history once fewer than a quarter of tcp_max_syn_backlog
 * remain: `max_syn_backlog - qlen < max_syn_backlog >> 2`; that cap applies too.
 */
export function synQueueLimit(
  rule: SynQueueRule,
  backlog: number,
  syncookies: number | null,
  maxSynBacklog: number | null,
): number {
  let limit: number;
  if (rule === "pre-4.4-table") {
    const entries = Math.max(8, Math.min(backlog, maxSynBacklog ?? backlog));
    limit = roundUpPowerOfTwo(entries + 1);
  } else {
    limit = rule === "backlog" ? backlog : backlog + 1;
  }
  if (syncookies === 0 && maxSynBacklog !== null) {
    limit = Math.min(limit, maxSynBacklog - (maxSynBacklog >> 2) + 1);
  }
  return limit;
}

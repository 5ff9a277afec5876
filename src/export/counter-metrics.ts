/** How a kernel counter of `synq status` is exported: its metric name and type. */
export interface CounterMetric {
  /** `Group.Name` as in the Status model (`TcpExt.ListenOverflows`). */
  counter: string;
  name: string;
  type: "counter" | "gauge";
}

/**
 * Every counter status reports, as `synq_netns_<kernel name in snake_case>`, the group left out
 * (no name occurs in both groups): `_total` counters, since the kernel's only grow, except
 * `Tcp.CurrEstab`, a gauge. Written out rather than derived: the names are a contract, and a
 * counter added to the catalogue without one here fails the tests.
 */
export const COUNTER_METRICS: readonly CounterMetric[] = [
  counter("TcpExt.ListenOverflows", "listen_overflows"),
  counter("TcpExt.ListenDrops", "listen_drops"),
  counter("TcpExt.TCPReqQFullDrop", "tcp_req_q_full_drop"),
  counter("TcpExt.TCPReqQFullDoCookies", "tcp_req_q_full_do_cookies"),
  counter("TcpExt.SyncookiesSent", "syncookies_sent"),
  counter("TcpExt.SyncookiesRecv", "syncookies_recv"),
  counter("TcpExt.SyncookiesFailed", "syncookies_failed"),
  counter("TcpExt.TCPSynRetrans", "tcp_syn_retrans"),
  counter("TcpExt.EmbryonicRsts", "embryonic_rsts"),
  counter("TcpExt.TCPDeferAcceptDrop", "tcp_defer_accept_drop"),
  counter("TcpExt.TCPACKSkippedSynRecv", "tcp_ack_skipped_syn_recv"),
  counter("TcpExt.TCPFastOpenListenOverflow", "tcp_fast_open_listen_overflow"),
  counter("TcpExt.TCPMigrateReqSuccess", "tcp_migrate_req_success"),
  counter("TcpExt.TCPMigrateReqFailure", "tcp_migrate_req_failure"),
  counter("Tcp.PassiveOpens", "passive_opens"),
  counter("Tcp.ActiveOpens", "active_opens"),
  counter("Tcp.AttemptFails", "attempt_fails"),
  { counter: "Tcp.CurrEstab", name: "synq_netns_curr_estab", type: "gauge" },
];

function counter(name: string, snake: string): CounterMetric {
  return { counter: name, name: `synq_netns_${snake}_total`, type: "counter" };
}

/** The metric name of a sysctl: `net.core.somaxconn` → `synq_sysctl_net_core_somaxconn`. */
export function sysctlMetricName(key: string): string {
  return `synq_sysctl_${key.replace(/\./g, "_")}`;
}

/** A kernel counter synq reports, with what it counts. */
export interface CounterSpec {
  group: "TcpExt" | "Tcp";
  name: string;
  meaning: string;
}

/** Counters from /proc/net/netstat (TcpExt) and /proc/net/snmp (Tcp) about listen queues. */
export const COUNTERS: readonly CounterSpec[] = [
  {
    group: "TcpExt",
    name: "ListenOverflows",
    meaning: "SYNs or final ACKs dropped: accept queue full",
  },
  {
    group: "TcpExt",
    name: "ListenDrops",
    meaning: "all SYN/ACK drops at listeners (overflows included)",
  },
  {
    group: "TcpExt",
    name: "TCPReqQFullDrop",
    meaning: "SYNs dropped: SYN queue full, cookies off",
  },
  {
    group: "TcpExt",
    name: "TCPReqQFullDoCookies",
    meaning: "SYN queue full (or syncookies=2): cookie sent",
  },
  { group: "TcpExt", name: "SyncookiesSent", meaning: "SYN-ACKs carrying a SYN cookie" },
  { group: "TcpExt", name: "SyncookiesRecv", meaning: "valid cookies in final ACKs" },
  { group: "TcpExt", name: "SyncookiesFailed", meaning: "final ACKs with an invalid cookie" },
  { group: "TcpExt", name: "TCPSynRetrans", meaning: "SYN and SYN-ACK retransmissions" },
  { group: "TcpExt", name: "EmbryonicRsts", meaning: "RSTs received for SYN-RECV requests" },
  { group: "TcpExt", name: "TCPDeferAcceptDrop", meaning: "requests dropped by TCP_DEFER_ACCEPT" },
  { group: "TcpExt", name: "TCPACKSkippedSynRecv", meaning: "rate-limited ACKs for SYN-RECV" },
  {
    group: "TcpExt",
    name: "TCPFastOpenListenOverflow",
    meaning: "Fast Open queue full: fell back",
  },
  {
    group: "TcpExt",
    name: "TCPMigrateReqSuccess",
    meaning: "requests migrated to another reuseport listener",
  },
  { group: "TcpExt", name: "TCPMigrateReqFailure", meaning: "request migrations that failed" },
  { group: "Tcp", name: "PassiveOpens", meaning: "connections accepted into SYN-RECV" },
  { group: "Tcp", name: "ActiveOpens", meaning: "outgoing connection attempts" },
  { group: "Tcp", name: "AttemptFails", meaning: "connection attempts that failed" },
  { group: "Tcp", name: "CurrEstab", meaning: "connections now ESTABLISHED or CLOSE-WAIT (gauge)" },
];

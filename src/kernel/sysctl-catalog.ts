/** A sysctl synq reads, and how to say what its value means. */
export interface SysctlSpec {
  key: string;
  describe: (value: number) => string;
}

const onOff = (on: string, off: string) => (v: number) => (v ? on : off);

/**
 * Seconds an unanswered request socket lives with `retries` SYN-ACK retransmissions: the
 * timeouts start at TCP_TIMEOUT_INIT (1 s) and double, but never beyond TCP_RTO_MAX (120 s)
 * (reqsk_timer_handler, net/ipv4/inet_connection_sock.c).
 */
export function requestLifetime(retries: number): number {
  let seconds = 0;
  for (let i = 0; i <= retries; i++) seconds += Math.min(2 ** i, 120);
  return seconds;
}

/** The SYN- and listen-queue sysctls (Documentation/networking/ip-sysctl.rst), all per netns. */
export const SYSCTLS: readonly SysctlSpec[] = [
  {
    key: "net.core.somaxconn",
    describe: (v) => `listen() backlogs are capped at ${v}`,
  },
  {
    key: "net.ipv4.tcp_max_syn_backlog",
    describe: (v) => `only with syncookies=0: unknown peers dropped past ${v - (v >> 2)} requests`,
  },
  {
    key: "net.ipv4.tcp_syncookies",
    describe: (v) =>
      v === 0
        ? "off: a full SYN queue drops new SYNs"
        : v === 2
          ? "always: every SYN gets a cookie, no SYN queue"
          : "on overflow: a full SYN queue answers with cookies",
  },
  {
    key: "net.ipv4.tcp_synack_retries",
    describe: (v) => `${v} SYN-ACK retries: unanswered requests live ~${requestLifetime(v)} s`,
  },
  {
    key: "net.ipv4.tcp_syn_retries",
    describe: (v) => `${v} SYN retries for outgoing connects (client side)`,
  },
  {
    key: "net.ipv4.tcp_abort_on_overflow",
    describe: onOff(
      "on: a full accept queue resets clients",
      "off: a full accept queue ignores the final ACK; clients retry",
    ),
  },
  {
    key: "net.ipv4.tcp_timestamps",
    describe: (v) =>
      v === 0
        ? "off: SYN cookies lose window scaling, SACK and ECN"
        : v === 2
          ? "on, no random offsets: cookie option bits readable"
          : "on, random offsets: cookies keep wscale/SACK/ECN",
  },
  {
    key: "net.ipv4.tcp_window_scaling",
    describe: onOff("on: windows above 64 KiB", "off: windows limited to 64 KiB"),
  },
  { key: "net.ipv4.tcp_sack", describe: onOff("on: selective ACKs", "off: no selective ACKs") },
  {
    key: "net.ipv4.tcp_ecn",
    describe: (v) =>
      v === 0 ? "off" : v === 1 ? "requested and accepted" : "accepted when requested",
  },
  {
    key: "net.ipv4.tcp_fastopen",
    describe: (v) => ((v & 2) !== 0 ? "server Fast Open on" : "server Fast Open off"),
  },
  {
    key: "net.ipv4.tcp_migrate_req",
    describe: onOff(
      "on: a closing SO_REUSEPORT listener hands its requests on",
      "off: requests die with their SO_REUSEPORT listener",
    ),
  },
];

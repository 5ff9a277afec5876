/** A sysctl synq reads, and how to say what its value means. */
export interface SysctlSpec {
  key: string;
  describe: (value: number) => string;
}

const onOff = (on: string, off: string) => (v: number) => (v ? on : off);

/** The SYN- and listen-queue sysctls (Documentation/networking/ip-sysctl.rst), all per netns. */
export const SYSCTLS: readonly SysctlSpec[] = [
  {
    key: "net.core.somaxconn",
    describe: (v) =>
      `listen() backlogs are capped at ${v}: no accept queue can hold more than ${v + 1}`,
  },
  {
    key: "net.ipv4.tcp_max_syn_backlog",
    describe: (v) =>
      `with tcp_syncookies=0, SYNs from unknown peers are dropped once a SYN queue holds ${v - (v >> 2)}; otherwise unused since 4.4`,
  },
  {
    key: "net.ipv4.tcp_syncookies",
    describe: (v) =>
      v === 0
        ? "off: when a SYN queue is full, new SYNs are dropped"
        : v === 2
          ? "always: every SYN is answered with a cookie, no request sockets are kept"
          : "on overflow: when a SYN queue is full, SYN cookies are sent instead of dropping",
  },
  {
    key: "net.ipv4.tcp_synack_retries",
    describe: (v) =>
      `SYN-ACK retransmitted ${v} times; an unanswered request lives about ${2 ** (v + 1) - 1} s`,
  },
  {
    key: "net.ipv4.tcp_syn_retries",
    describe: (v) => `outgoing connects resend their SYN ${v} times (client side)`,
  },
  {
    key: "net.ipv4.tcp_abort_on_overflow",
    describe: onOff(
      "on: a full accept queue answers the final ACK with RST (clients see resets)",
      "off: a full accept queue ignores the final ACK; the client retries later",
    ),
  },
  {
    key: "net.ipv4.tcp_timestamps",
    describe: (v) =>
      v === 0
        ? "off: SYN cookies cannot carry window scaling, SACK or ECN"
        : v === 2
          ? "on, without per-connection offsets: cookie option bits readable on the wire"
          : "on, with random per-connection offsets: cookies keep wscale/SACK/ECN",
  },
  {
    key: "net.ipv4.tcp_window_scaling",
    describe: onOff("on: window scaling negotiated", "off: windows limited to 64 KiB"),
  },
  { key: "net.ipv4.tcp_sack", describe: onOff("on: selective ACKs negotiated", "off: no SACK") },
  {
    key: "net.ipv4.tcp_ecn",
    describe: (v) =>
      v === 0
        ? "off"
        : v === 1
          ? "requested on outgoing and accepted on incoming"
          : "accepted when requested",
  },
  {
    key: "net.ipv4.tcp_fastopen",
    describe: (v) =>
      (v & 2) !== 0
        ? "server Fast Open enabled (data in SYN skips the SYN queue wait)"
        : "server Fast Open off",
  },
  {
    key: "net.ipv4.tcp_migrate_req",
    describe: onOff(
      "on: requests of a closing SO_REUSEPORT listener move to another one",
      "off: requests die with their SO_REUSEPORT listener",
    ),
  },
];

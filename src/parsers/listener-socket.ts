import type { Endpoint } from "./address.js";

/** A process holding a socket: from `ss -p` `users:((...))`, or synq's own /proc scan. */
export interface SocketOwner {
  command: string;
  pid: number;
  fd: number;
}

/** One LISTEN socket as a reading of the kernel gives it: a sock_diag dump or `ss -Hltnmpe`. */
export interface ListenerSocket {
  local: Endpoint;
  /** Current accept queue length (sk_ack_backlog). */
  acceptQueue: number;
  /** Accept queue limit (sk_max_ack_backlog = min(listen() backlog, somaxconn)). */
  backlog: number;
  owners: SocketOwner[];
  /** sk_drops (`skmem:(...,d<N>)`, SK_MEMINFO_DROPS); null when the reading does not have it. */
  drops: number | null;
  inode: number | null;
  uid: number | null;
  /** IPV6_V6ONLY of an IPv6 listener; null for IPv4 or when not shown. */
  v6only: boolean | null;
}

/** A network namespace to read: the current one, or another one to enter. */
export interface NetnsTarget {
  /** Name shown to users: `""` for the current namespace, else the /run/netns name or `pid:<n>`. */
  name: string;
  /** Namespace file to enter (`/run/netns/NAME`, `/proc/PID/ns/net`); null for the current one. */
  path: string | null;
}

/** Where `ip netns add` puts named network namespaces. */
export const NETNS_RUN_DIR = "/run/netns";

/** The namespace synq runs in. */
export const currentNetns: NetnsTarget = { name: "", path: null };

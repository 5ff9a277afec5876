import type { Family } from "./endpoint.js";

/**
 * The MSS values a cookie can carry, one table per family, indexed by the 2-bit `mssind`.
 * IPv4: net/ipv4/syncookies.c `msstab` (536, 1300, 1440 for PPPoE, 1460 for Ethernet).
 * IPv6: net/ipv6/syncookies.c `msstab` (IPV6_MIN_MTU−60, 1480−60, 1500−60, 9000−60).
 */
export const msstab: Readonly<Record<Family, readonly [number, number, number, number]>> = {
  ipv4: [536, 1300, 1440, 1460],
  ipv6: [1220, 1420, 1440, 8940],
};

/**
 * The MSS the kernel assumes when the SYN has no MSS option: TCP_MSS_DEFAULT (536) for
 * IPv4; IPV6_MIN_MTU − 20 − 40 (1220) for IPv6, as bpf_tcp_raw_gen_syncookie_ipv6 and
 * tcp_v6's mss_clamp do.
 */
export const defaultSynMss: Readonly<Record<Family, number>> = { ipv4: 536, ipv6: 1220 };

/**
 * The index `__cookie_v4_init_sequence` / `__cookie_v6_init_sequence` pick: the largest
 * entry not above the SYN's MSS, and index 0 for anything smaller than every entry.
 */
export function mssIndexFor(family: Family, mss: number): number {
  const tab = msstab[family];
  let mssind = tab.length - 1;
  for (; mssind; mssind--) if (mss >= (tab[mssind] as number)) break;
  return mssind;
}

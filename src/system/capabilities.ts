import { readFileSync } from "node:fs";

/** Capability numbers of linux/capability.h that synq asks about. */
export const CAP_NET_ADMIN = 12;
export const CAP_SYS_ADMIN = 21;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;

/** The effective capability set of this process (CapEff in /proc/self/status). */
export function effectiveCapabilities(statusText: string): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(statusText);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

/** Whether `caps` holds capability `bit`. */
export function hasCapability(caps: bigint, bit: number): boolean {
  return (caps & (1n << BigInt(bit))) !== 0n;
}

/** The effective capabilities of this process; none when /proc/self/status cannot be read. */
export function ownCapabilities(procRoot = "/proc"): bigint {
  try {
    return effectiveCapabilities(readFileSync(`${procRoot}/self/status`, "latin1"));
  } catch {
    return 0n;
  }
}

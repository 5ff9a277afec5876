import { release } from "node:os";

/** A kernel version as [major, minor, patch]. */
export type KernelVersion = readonly [number, number, number];

/** Parses `uname -r` text (`6.1.0-31-amd64`, `6.18.44-fc-v669`, `5.10.237`). */
export function parseKernelRelease(text: string): KernelVersion | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** The running kernel's release string. */
export function runningKernelRelease(): string {
  return release();
}

/** a >= b, comparing major, minor, patch. */
export function atLeast(a: KernelVersion, b: KernelVersion): boolean {
  for (let i = 0; i < 3; i++) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) > (b[i] as number);
  }
  return true;
}

import { release, version } from "node:os";

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

/**
 * The upstream version a distribution kernel is built from. Debian keeps an ABI name in
 * `uname -r` (6.1.0-31-amd64) and the real patch level in `uname -v` ("Debian 6.1.128-1");
 * Ubuntu puts it in /proc/version_signature ("Ubuntu 5.15.0-91.101-generic 5.15.131").
 */
export function upstreamKernelVersion(
  releaseText: string,
  unameVersion: string,
  versionSignature: string | null,
): KernelVersion | null {
  const fromSignature = versionSignature?.trim().split(/\s+/).at(-1);
  const candidates = [
    /Debian (\d+\.\d+\.\d+)/.exec(unameVersion)?.[1],
    fromSignature && /^\d+\.\d+\.\d+$/.test(fromSignature) ? fromSignature : undefined,
    releaseText,
  ];
  for (const c of candidates) {
    const v = c ? parseKernelRelease(c) : null;
    if (v) return v;
  }
  return null;
}

/** `uname -v` of the running kernel. */
export function runningKernelVersionText(): string {
  return version();
}

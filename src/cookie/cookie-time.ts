/**
 * The minute counter SYN cookies are made with: `tcp_cookie_time()` (include/net/tcp.h)
 * = get_jiffies_64() / TCP_SYNCOOKIE_PERIOD, with TCP_SYNCOOKIE_PERIOD = 60 * HZ.
 *
 * jiffies_64 does not start at 0: it starts at INITIAL_JIFFIES = (unsigned long)(unsigned
 * int)(−300 * HZ) (include/linux/jiffies.h) so that 32-bit wraparound bugs show up five
 * minutes after boot. So the counter is not uptime / 60: at HZ=250 it is ≈ 286326 at boot.
 *
 * Sources, best first: the running kernel's own jiffies_64 (bpf_jiffies64() in --kernel
 * mode, or the `jiffies:` line of /proc/timer_list, root only), else an estimate from
 * /proc/uptime. HZ comes from CONFIG_HZ in /proc/config.gz or /boot/config-$(uname -r).
 */
import { release } from "node:os";
import { join } from "node:path";
import { SynqError } from "../errors.js";

/** How the counter was obtained. */
export type CookieTimeSource = "flag" | "bpf_jiffies64" | "timer_list" | "uptime";

/** The counter and how it was obtained, for the report. */
export interface CookieTime {
  count: number;
  source: CookieTimeSource;
  /** False for the /proc/uptime estimate, which can be a fraction of a second off. */
  exact: boolean;
  jiffies64: number | null;
  hz: number | null;
  hzSource: string | null;
  /** Seconds since the counter last ticked (0–60), when jiffies are known. */
  secondsIntoMinute: number | null;
  detail: string;
}

/** `INITIAL_JIFFIES` for a given HZ, as a 64-bit jiffies value. */
export function initialJiffies(hz: number): bigint {
  return BigInt((-300 * hz) >>> 0);
}

/** `tcp_cookie_time()`: jiffies_64 / (60 * HZ), truncated to u32 like the kernel's return. */
export function tcpCookieTime(jiffies64: bigint, hz: number): number {
  return Number((jiffies64 / BigInt(60 * hz)) & 0xffffffffn);
}

/** Seconds since the minute counter last advanced. */
export function secondsIntoMinute(jiffies64: bigint, hz: number): number {
  return Number(jiffies64 % BigInt(60 * hz)) / hz;
}

/** CONFIG_HZ from a kernel .config text, or null. */
export function parseConfigHz(config: string): number | null {
  const m = /^CONFIG_HZ=(\d+)$/m.exec(config);
  return m ? Number(m[1]) : null;
}

/** The `jiffies:` value of /proc/timer_list (the kernel prints `jiffies` there), or null. */
export function parseTimerListJiffies(text: string): bigint | null {
  const m = /^jiffies: (\d+)$/m.exec(text);
  return m ? BigInt(m[1] as string) : null;
}

/** Seconds since boot from /proc/uptime's first field, or null. */
export function parseUptime(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s/.exec(text);
  return m ? Number(m[1]) : null;
}

/** jiffies_64 estimated from uptime: INITIAL_JIFFIES + uptime × HZ. */
export function jiffiesFromUptime(uptimeSeconds: number, hz: number): bigint {
  return initialJiffies(hz) + BigInt(Math.floor(uptimeSeconds * hz));
}

/**
 * A jiffies value read as 32 bits (32-bit kernels print `jiffies`, not jiffies_64) widened
 * to the 64-bit value closest to an estimate. A no-op on 64-bit kernels.
 */
export function widenJiffies(read: bigint, estimate: bigint): bigint {
  if (read >= 1n << 32n) return read;
  const wrap = 1n << 32n;
  const k = (estimate - read + wrap / 2n) / wrap;
  return read + (k > 0n ? k : 0n) * wrap;
}

/** Where to look; tests point these at fixtures. */
export interface CookieTimeEnv {
  procRoot?: string;
  bootDir?: string;
  kernelRelease?: string;
}

// fs/promises and zlib load only when a cookie's time is asked for: decode-cookie of a
// sequence number alone never reads these files, and loading both costs its start ~2 ms.
async function readText(path: string, gz = false): Promise<string | null> {
  try {
    const { readFile } = await import("node:fs/promises");
    const buf = await readFile(path);
    if (!gz) return buf.toString("utf8");
    const { gunzipSync } = await import("node:zlib");
    return gunzipSync(buf).toString("utf8");
  } catch {
    return null;
  }
}

/** CONFIG_HZ of the running kernel and the file it came from, or null if neither exists. */
export async function readKernelHz(
  env: CookieTimeEnv = {},
): Promise<{ hz: number; source: string } | null> {
  const procRoot = env.procRoot ?? "/proc";
  const candidates: [string, boolean][] = [
    [join(procRoot, "config.gz"), true],
    [join(env.bootDir ?? "/boot", `config-${env.kernelRelease ?? release()}`), false],
  ];
  for (const [path, gz] of candidates) {
    const text = await readText(path, gz);
    const hz = text === null ? null : parseConfigHz(text);
    if (hz) return { hz, source: path };
  }
  return null;
}

/** Builds the report entry for a known jiffies_64 value. */
export function cookieTimeFromJiffies(
  jiffies64: bigint,
  hz: number,
  hzSource: string,
  source: Exclude<CookieTimeSource, "flag">,
  exact: boolean,
  how: string,
): CookieTime {
  const count = tcpCookieTime(jiffies64, hz);
  const into = secondsIntoMinute(jiffies64, hz);
  const edge =
    !exact && (into < 1 || into > 59) ? "; close to a minute boundary, may be off by one" : "";
  return {
    count,
    source,
    exact,
    jiffies64: Number(jiffies64),
    hz,
    hzSource,
    secondsIntoMinute: Math.round(into * 1000) / 1000,
    detail: `${how}: jiffies_64 ${jiffies64} / (60 × HZ ${hz}) = ${count}${edge}`,
  };
}

/** The counter given on the command line. */
export function cookieTimeFromFlag(count: number): CookieTime {
  return {
    count,
    source: "flag",
    exact: true,
    jiffies64: null,
    hz: null,
    hzSource: null,
    secondsIntoMinute: null,
    detail: `given with --count`,
  };
}

/**
 * The running kernel's tcp_cookie_time(): exact from /proc/timer_list when readable (root),
 * else estimated from /proc/uptime. Throws a one-line error when HZ cannot be found.
 */
export async function readCookieTime(env: CookieTimeEnv = {}): Promise<CookieTime> {
  const procRoot = env.procRoot ?? "/proc";
  const hz = await readKernelHz(env);
  if (!hz) {
    throw new SynqError(
      "systemRead",
      "cannot find the kernel's CONFIG_HZ (no /proc/config.gz or /boot/config-$(uname -r)), so the minute counter is unknown",
      "pass --count N (tcp_cookie_time() of the host that made the cookie), or use --kernel",
    );
  }
  const uptimeText = await readText(join(procRoot, "uptime"));
  const uptime = uptimeText === null ? null : parseUptime(uptimeText);
  const estimate = uptime === null ? null : jiffiesFromUptime(uptime, hz.hz);
  const timerList = await readText(join(procRoot, "timer_list"));
  const read = timerList === null ? null : parseTimerListJiffies(timerList);
  if (read !== null) {
    const jiffies = estimate === null ? read : widenJiffies(read, estimate);
    return cookieTimeFromJiffies(
      jiffies,
      hz.hz,
      hz.source,
      "timer_list",
      true,
      `from ${join(procRoot, "timer_list")}`,
    );
  }
  if (estimate === null) {
    throw new SynqError(
      "systemRead",
      `cannot read ${join(procRoot, "uptime")} or ${join(procRoot, "timer_list")}, so the minute counter is unknown`,
      "pass --count N (tcp_cookie_time() of the host that made the cookie)",
    );
  }
  return cookieTimeFromJiffies(
    estimate,
    hz.hz,
    hz.source,
    "uptime",
    false,
    `estimated from ${join(procRoot, "uptime")} (${uptime} s) + INITIAL_JIFFIES (exact as root, from /proc/timer_list)`,
  );
}

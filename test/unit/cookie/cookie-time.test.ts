import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  cookieTimeFromJiffies,
  initialJiffies,
  parseConfigHz,
  parseTimerListJiffies,
  parseUptime,
  readCookieTime,
  readKernelHz,
  secondsIntoMinute,
  tcpCookieTime,
  widenJiffies,
} from "../../../src/cookie/cookie-time.js";
import { SynqError } from "../../../src/errors.js";

// Shapes of the real files on the 6.18 host this was written on (HZ=250, uptime 146 s):
// /proc/timer_list had "jiffies: 4294928805" and /proc/uptime "146.29 222.35".
const TIMER_LIST = `Timer List Version: v0.10
HRTIMER_MAX_CLOCK_BASES: 8
now at 146290583829 nsecs

Tick Device: mode:     1
Per CPU device: 0
  .tick_stopped   : 0
  .idle_jiffies   : 4294928797
  .last_jiffies   : 4294928805
jiffies: 4294928805
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeSystem(files: Record<string, string | Buffer>): { procRoot: string; bootDir: string } {
  const root = mkdtempSync(join(tmpdir(), "synq-cookie-time-"));
  dirs.push(root);
  mkdirSync(join(root, "proc"));
  mkdirSync(join(root, "boot"));
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, path), content);
  return { procRoot: join(root, "proc"), bootDir: join(root, "boot") };
}

describe("tcp_cookie_time() = jiffies_64 / (60 * HZ)", () => {
  it("starts at INITIAL_JIFFIES = (u32)(-300 * HZ), not at 0", () => {
    expect(initialJiffies(250)).toBe(4294892296n); // 2^32 − 75000
    expect(initialJiffies(1000)).toBe(4294667296n);
    // At boot with HZ=250 the counter is already 286326 (KERNEL-FACTS §1).
    expect(tcpCookieTime(initialJiffies(250), 250)).toBe(286326);
    expect(tcpCookieTime(4294928805n, 250)).toBe(286328);
    expect(secondsIntoMinute(4294928805n, 250)).toBeCloseTo(35.22, 3); // 8805 jiffies past the tick
  });

  it("parses the files it reads", () => {
    expect(parseConfigHz("# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\n")).toBe(250);
    expect(parseConfigHz("CONFIG_HZ_PERIODIC=y\n")).toBeNull();
    expect(parseTimerListJiffies(TIMER_LIST)).toBe(4294928805n);
    expect(parseUptime("146.29 222.35\n")).toBe(146.29);
  });

  it("widens a 32-bit jiffies reading to the jiffies_64 nearest the uptime estimate", () => {
    expect(widenJiffies(4294928805n, 4294928868n)).toBe(4294928805n); // 64-bit kernel: as is
    expect(widenJiffies(5n, (1n << 32n) + 3n)).toBe((1n << 32n) + 5n); // wrapped once
    expect(widenJiffies(8_000_000_000n, 0n)).toBe(8_000_000_000n);
  });

  it("flags estimates close to a minute boundary", () => {
    const t = cookieTimeFromJiffies(15000n * 1000n + 100n, 250, "x", "uptime", false, "est");
    expect(t.count).toBe(1000);
    expect(t.detail).toContain("may be off by one");
  });
});

describe("readCookieTime", () => {
  it("is exact from /proc/timer_list, with HZ from /proc/config.gz", async () => {
    const env = fakeSystem({
      "proc/config.gz": gzipSync("CONFIG_HZ=250\n"),
      "proc/timer_list": TIMER_LIST,
      "proc/uptime": "146.29 222.35\n",
    });
    const t = await readCookieTime(env);
    expect(t).toMatchObject({
      count: 286328,
      source: "timer_list",
      exact: true,
      hz: 250,
      jiffies64: 4294928805,
    });
    expect(t.hzSource).toBe(join(env.procRoot, "config.gz"));
  });

  it("estimates from /proc/uptime when timer_list is unreadable, HZ from /boot/config-<release>", async () => {
    const env = fakeSystem({
      "boot/config-6.1.0-test": "CONFIG_HZ=1000\n",
      "proc/uptime": "600.5 1.0\n",
    });
    const t = await readCookieTime({ ...env, kernelRelease: "6.1.0-test" });
    // INITIAL_JIFFIES(1000) + 600.5 s × 1000 = 4294667296 + 600500 = 4295267796; / 60000 = 71587.
    expect(t).toMatchObject({ count: 71587, source: "uptime", exact: false, hz: 1000 });
    expect(t.detail).toContain("estimated");
  });

  it("asks for --count when HZ is unknown", async () => {
    const env = fakeSystem({ "proc/uptime": "1.0 1.0\n" });
    const err = await readCookieTime({ ...env, kernelRelease: "none" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynqError);
    expect((err as SynqError).oneLine()).toMatch(/CONFIG_HZ.*pass --count N/);
    expect(await readKernelHz({ ...env, kernelRelease: "none" })).toBeNull();
  });
});

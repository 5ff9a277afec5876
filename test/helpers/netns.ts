import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const SCENARIO = fileURLToPath(new URL("./scenario-process.ts", import.meta.url));

/** Source ranges for spoofed SYNs: routed back into lo, where their SYN-ACKs die unanswered. */
export const SPOOF_V4 = "192.0.2.0/24";
export const SPOOF_V6 = "2001:db8::/64";

/** Runs a command inside a namespace and returns stdout. */
export function inNetns(ns: string, cmd: string, args: string[]): string {
  return execFileSync("ip", ["netns", "exec", ns, cmd, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
}

/** Creates a fresh namespace with lo up and the spoofed ranges routed into lo. */
export function createNetns(prefix: string): string {
  const name = `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  execFileSync("ip", ["netns", "add", name]);
  execFileSync("ip", ["-n", name, "link", "set", "lo", "up"]);
  execFileSync("ip", ["-n", name, "route", "add", SPOOF_V4, "dev", "lo"]);
  execFileSync("ip", ["-n", name, "-6", "route", "add", SPOOF_V6, "dev", "lo"]);
  return name;
}

/** Deletes a namespace created by createNetns (ignores one that is already gone). */
export function deleteNetns(name: string): void {
  try {
    execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
  } catch {
    /* already gone */
  }
}

/** Sets a per-namespace sysctl, e.g. net.ipv4.tcp_syncookies. */
export function setNetnsSysctl(ns: string, key: string, value: number): void {
  inNetns(ns, "sysctl", ["-q", "-w", `${key}=${value}`]);
}

/** The kernel's own counters as `nstat -az` prints them in that namespace (name → value). */
export function nstat(ns: string): Map<string, number> {
  const out = inNetns(ns, "nstat", ["-a", "-z", "-s"]);
  const m = new Map<string, number>();
  for (const line of out.split("\n")) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value && /^\d+$/.test(value)) m.set(name, Number(value));
  }
  return m;
}

/** A running scenario-process; `stop()` ends it and everything it held open. */
export interface RunningScenario {
  process: ChildProcess;
  /** Has it accept every connection waiting on its listeners; resolves to how many. */
  acceptAll: () => Promise<number>;
  /**
   * `count` clients to host:port while nothing is accepted, held until all are established
   * and at least `holdMs` passed, then every waiting connection accepted at once (see
   * scenario-process.ts): how many connected and how many the drain accepted.
   */
  burst: (
    host: string,
    port: number,
    count: number,
    holdMs: number,
  ) => Promise<{ connected: number; accepted: number }>;
  stop: () => Promise<void>;
}

/**
 * Starts scenario-process.ts in the namespace and waits until it says `ready`. With `cgroup`
 * (a cgroup v2 directory) the process joins that cgroup first, and so do its sockets.
 */
export async function startScenario(
  ns: string,
  scenario: object,
  opts: { maxFiles?: number; cgroup?: string } = {},
): Promise<RunningScenario> {
  const node = [process.execPath, "--import", "tsx", SCENARIO, JSON.stringify(scenario)];
  const limit = opts.maxFiles ? ["prlimit", `--nofile=${opts.maxFiles}:${opts.maxFiles}`] : [];
  const command = ["ip", "netns", "exec", ns, ...limit, ...node];
  const joined = opts.cgroup
    ? ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', opts.cgroup, ...command]
    : command;
  return spawnScenario(joined);
}

/** Runs a scenario-process command line and waits until it says `ready`. */
export async function spawnScenario(command: readonly string[]): Promise<RunningScenario> {
  const child = spawn(command[0] as string, command.slice(1), {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.setEncoding("utf8");
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: string) => {
      out += d;
      if (out.includes("ready\n")) resolve();
    });
    child.on("exit", (code) =>
      reject(new Error(`scenario process exited with ${code} before ready`)),
    );
  });
  /** Sends `command` and waits for the answer line `answer` matches. */
  const ask = async (command: string, answer: RegExp): Promise<RegExpExecArray> => {
    const from = out.length;
    child.stdin?.write(`${command}\n`);
    for (;;) {
      const m = answer.exec(out.slice(from));
      if (m) return m;
      const failed = /burst failed: .*\n/.exec(out.slice(from));
      if (failed) throw new Error(`scenario process: ${failed[0].trim()}`);
      if (child.exitCode !== null) throw new Error(`scenario process exited before: ${command}`);
      await once(child.stdout as NodeJS.ReadableStream, "data");
    }
  };
  return {
    process: child,
    acceptAll: async () => Number((await ask("accept", /accepted (\d+)\n/))[1]),
    burst: async (host, port, count, holdMs) => {
      const m = await ask(`burst ${host} ${port} ${count} ${holdMs}`, /burst (\d+) (\d+)\n/);
      return { connected: Number(m[1]), accepted: Number(m[2]) };
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.stdin?.end();
      await once(child, "exit");
    },
  };
}

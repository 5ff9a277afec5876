/** Timing and memory of one command run, shared by the benchmarks. */
import { spawnSync } from "node:child_process";

/** Wall time (ms) of one run of `cmd`, output discarded; throws when it fails. */
export function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "ignore"], env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Peak RSS (KiB) of one run of `cmd`, from GNU time. */
export function peakRssKiB(cmd: string, args: string[]): number {
  const r = spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return Number(r.stderr.trim().split("\n").at(-1));
}

/**
 * Start-up of commands that do not touch the kernel (budget: median under 200 ms), next to
 * a bare `node -e 0` measured in the same loop: the ratio shows synq's own share.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/run.js", import.meta.url));

function wallMs(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Median start-up times (ms) over `rounds` alternating runs, and ratios to bare node. */
export function startup(rounds = 15) {
  const cases = {
    node: ["-e", "0"],
    help: [BIN, "--help"],
    decodeCookie: [BIN, "decode-cookie", "0xa3242733"],
  };
  const times: Record<string, number[]> = { node: [], help: [], decodeCookie: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, args] of Object.entries(cases)) times[name]?.push(wallMs(args));
  }
  const node = median(times.node ?? []);
  const help = median(times.help ?? []);
  const decode = median(times.decodeCookie ?? []);
  return {
    nodeMs: Math.round(node),
    helpMs: Math.round(help),
    decodeCookieMs: Math.round(decode),
    helpVsNode: Math.round((help / node) * 100) / 100,
    decodeCookieVsNode: Math.round((decode / node) * 100) / 100,
    budgetMs: 200,
  };
}

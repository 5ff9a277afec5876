import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What the tests run as synq: the built CLI entry point (tests run after `npm run build`), or
 * with SYNQ_BIN=PATH in the environment an executable such as the single executable of
 * `npm run release` (`SYNQ_BIN=release/synq-… npx vitest run test/cli`).
 */
export const SYNQ_BIN = process.env.SYNQ_BIN
  ? resolve(process.env.SYNQ_BIN)
  : fileURLToPath(new URL("../../bin/run.js", import.meta.url));

/** The argv that starts synq, before its arguments: node and bin/run.js, or the executable. */
export const SYNQ_ARGV: readonly string[] = process.env.SYNQ_BIN
  ? [SYNQ_BIN]
  : [process.execPath, SYNQ_BIN];

/** Result of one synq invocation. */
export interface SynqRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `synq <args>` as a user would, with optional extra environment; as nobody if asked. */
export function runSynq(args: string[], env: NodeJS.ProcessEnv = {}, asNobody = false): SynqRun {
  const argv = [...SYNQ_ARGV, ...args];
  const [cmd, ...rest] = asNobody
    ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv]
    : argv;
  const r = spawnSync(cmd as string, rest, {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...(asNobody ? { HOME: "/nonexistent" } : {}), ...env },
    timeout: 60_000,
    maxBuffer: 1 << 30,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs synq without blocking the event loop (for tests that act while it samples). */
export function runSynqAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SynqRun> {
  return new Promise((resolve, reject) => {
    const [cmd, ...rest] = [...SYNQ_ARGV, ...args] as [string, ...string[]];
    const child = spawn(cmd, rest, {
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

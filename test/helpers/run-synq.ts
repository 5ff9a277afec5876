import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built CLI entry point (tests run after `npm run build`). */
export const SYNQ_BIN = fileURLToPath(new URL("../../bin/run.js", import.meta.url));

/** Result of one synq invocation. */
export interface SynqRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `synq <args>` as a user would, with optional extra environment; as nobody if asked. */
export function runSynq(args: string[], env: NodeJS.ProcessEnv = {}, asNobody = false): SynqRun {
  const argv = [process.execPath, SYNQ_BIN, ...args];
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
    const child = spawn(process.execPath, [SYNQ_BIN, ...args], {
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

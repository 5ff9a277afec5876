import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { SYNQ_ARGV } from "./run-synq.js";

/** A `synq export` server started by a test. */
export interface RunningExport {
  child: ChildProcess;
  /** http(s)://HOST:PORT, from the line synq prints once it serves. */
  base: string;
  port: number;
  /** Everything on stderr so far. */
  stderr: () => string;
  /** Sends `signal` (SIGTERM by default) and resolves with how it exited. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: string | null }>;
}

/**
 * Starts `synq export ARGS` (as nobody if asked; with the command line `synq` if given, else
 * SYNQ_BIN's) and waits until it says where it serves; rejects with its stderr if it exits first.
 */
export async function startExport(
  args: string[],
  opts: { asNobody?: boolean; env?: NodeJS.ProcessEnv; synq?: string[] } = {},
): Promise<RunningExport> {
  const argv = [...(opts.synq ?? SYNQ_ARGV), "export", ...args];
  const [cmd, ...rest] = opts.asNobody
    ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv]
    : argv;
  const child = spawn(cmd as string, rest, {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NO_COLOR: "1",
      ...(opts.asNobody ? { HOME: "/nonexistent" } : {}),
      ...opts.env,
    },
  });
  let stderr = "";
  let stdout = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  const served = await new Promise<URL>((resolve, reject) => {
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      const m = /synq export: serving (https?:\/\/\S+)\/metrics/.exec(stderr);
      if (m) resolve(new URL(m[1] as string));
    });
    child.once("exit", (code) =>
      reject(new Error(`synq export exited ${code} before serving: ${stderr}${stdout}`)),
    );
  });
  return {
    child,
    base: served.origin,
    port: Number(served.port),
    stderr: () => stderr,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return { code: child.exitCode, signal: child.signalCode };
      }
      const exited = once(child, "exit");
      child.kill(signal);
      const [code, sig] = (await exited) as [number | null, string | null];
      return { code, signal: sig };
    },
  };
}

/** A TCP port nothing listens on now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

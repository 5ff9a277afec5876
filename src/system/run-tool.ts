import { execa, execaSync } from "execa";
import { SynqError } from "../errors.js";
import { NetnsGoneError, netnsFileState } from "./netns-file.js";
import type { NetnsTarget } from "./netns-target.js";

const INSTALL_HINT: Record<string, string> = {
  ss: "install iproute2 (Debian/Ubuntu: apt-get install iproute2; Fedora/RHEL: dnf install iproute)",
  ip: "install iproute2 (Debian/Ubuntu: apt-get install iproute2; Fedora/RHEL: dnf install iproute)",
  nsenter: "install util-linux (apt-get install util-linux)",
  grep: "install grep",
};

function command(target: NetnsTarget, file: string, args: string[]): [string, string[]] {
  return target.path ? ["nsenter", [`--net=${target.path}`, "--", file, ...args]] : [file, args];
}

function spawnError(file: string, err: { code?: string; message: string }, target: NetnsTarget) {
  if (err.code === "ENOENT") {
    const missing = target.path ? "nsenter" : file;
    return new SynqError(
      "missingTool",
      `\`${missing}\` was not found in PATH`,
      INSTALL_HINT[missing],
    );
  }
  if (err.code === "EACCES") {
    return new SynqError("permission", `cannot execute \`${file}\`: permission denied`);
  }
  return new SynqError("systemRead", `cannot run \`${file}\`: ${err.message}`);
}

function exitError(
  file: string,
  target: NetnsTarget,
  exitCode: number | undefined,
  stderr: string,
) {
  const firstLine = stderr.trim().split("\n").at(-1) ?? "";
  if (target.path && /Operation not permitted|Permission denied/i.test(stderr)) {
    return new SynqError(
      "permission",
      `entering network namespace ${target.name} was refused (${firstLine})`,
      "run synq as root (entering a namespace needs CAP_SYS_ADMIN)",
    );
  }
  if (target.path && /nsenter: (executable file not found|failed to execute)/.test(stderr)) {
    return new SynqError(
      "missingTool",
      `\`${file}\` was not found in PATH`,
      INSTALL_HINT[file] ?? `install ${file}`,
    );
  }
  // nsenter could not enter: the namespace was deleted after synq resolved or listed it.
  if (target.path && netnsFileState(target.path) !== "netns")
    return new NetnsGoneError(target.name);
  return new SynqError(
    "systemRead",
    `\`${file}\` failed with exit code ${exitCode ?? "?"}${firstLine ? `: ${firstLine}` : ""}`,
  );
}

/** Runs a tool (argument array, never a shell) and returns its whole stdout. */
export async function runTool(
  target: NetnsTarget,
  file: string,
  args: string[],
  okExitCodes: number[] = [0],
): Promise<string> {
  const [cmd, argv] = command(target, file, args);
  let result: Awaited<ReturnType<typeof execa>>;
  try {
    result = await execa(cmd, argv, { reject: false, stripFinalNewline: false, encoding: "utf8" });
  } catch (err) {
    throw spawnError(file, err as Error & { code?: string }, target);
  }
  if (result.failed && result.exitCode === undefined) {
    throw spawnError(file, result as unknown as Error & { code?: string }, target);
  }
  const stderr = String(result.stderr);
  // nsenter's own failure (exit 1) must not pass for the tool's "ok" codes (grep's 1 and 2).
  const nsenterFailed = target.path !== null && /^nsenter: /m.test(stderr);
  if (nsenterFailed || !okExitCodes.includes(result.exitCode ?? -1)) {
    throw exitError(file, target, result.exitCode, stderr);
  }
  return String(result.stdout);
}

/**
 * Runs a tool synchronously, from the calling thread's network namespace (inside
 * NetnsHandle.run, the traced one), and returns its whole stdout.
 */
export function runToolSync(file: string, args: string[]): string {
  const here = { name: "", path: null };
  let result: ReturnType<typeof execaSync>;
  try {
    result = execaSync(file, args, { reject: false, stripFinalNewline: false, encoding: "utf8" });
  } catch (err) {
    throw spawnError(file, err as Error & { code?: string }, here);
  }
  if (result.failed && result.exitCode === undefined) {
    throw spawnError(file, result as unknown as Error & { code?: string }, here);
  }
  if (result.exitCode !== 0) throw exitError(file, here, result.exitCode, String(result.stderr));
  return String(result.stdout);
}

/**
 * Runs a tool and hands its stdout to `onChunk` as it arrives, as raw bytes, without
 * buffering the whole output: `ss` can print hundreds of thousands of request sockets.
 */
export async function streamTool(
  target: NetnsTarget,
  file: string,
  args: string[],
  onChunk: (chunk: Buffer) => void,
): Promise<void> {
  const [cmd, argv] = command(target, file, args);
  const child = execa(cmd, argv, { reject: false, buffer: { stdout: false, stderr: true } });
  let chunkError: unknown;
  child.stdout?.on("data", (chunk: Buffer) => {
    if (chunkError) return;
    try {
      onChunk(chunk);
    } catch (err) {
      chunkError = err;
      child.kill();
    }
  });
  const result = await child;
  if (chunkError) throw chunkError;
  if (result.failed && result.exitCode === undefined && !result.isTerminated) {
    throw spawnError(file, result as unknown as Error & { code?: string }, target);
  }
  if (result.exitCode !== 0) throw exitError(file, target, result.exitCode, String(result.stderr));
}

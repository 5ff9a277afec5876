import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Writable } from "node:stream";
import { type Accel, chooseAccel } from "./accel.js";
import { guestCommandScript, guestConfigScript } from "./guest-command.js";
import { buildInitramfs } from "./initramfs.js";
import type { KernelImage } from "./kernel-cache.js";
import { repoRoot } from "./paths.js";
import { qemuArgs, type WritableShare, writableShareTag } from "./qemu-args.js";
import { listenSerialSink } from "./serial-sink.js";

/** How to run one command in one VM. */
export interface VmRunOptions {
  kernel: KernelImage;
  command: readonly string[];
  /** Guest working directory; the repository root by default. */
  cwd?: string;
  /** Extra guest environment on top of PATH, HOME, SYNQ_VM_KERNEL and the passed-through CI. */
  env?: Record<string, string>;
  writableShares?: readonly WritableShare[];
  timeoutMs?: number;
  memoryMiB?: number;
  cpus?: number;
  accel?: Accel;
  stdout?: Writable;
  stderr?: Writable;
  /** Copy the guest's serial console (kernel and /init messages) to stderr as it comes. */
  showConsole?: boolean;
}

/** How a run ended. `exitCode` is the command's status, or 124 (timeout) / 125 (no status). */
export interface VmRunResult {
  exitCode: number;
  outcome: "exited" | "timeout" | "no-status";
  durationMs: number;
  /** One-line explanation when the command did not report its own status. */
  message?: string;
  /** Kept for inspection when the VM failed (or SYNQ_VM_KEEP=1); removed otherwise. */
  runDir?: string;
}

export const timeoutExitCode = 124;
export const noStatusExitCode = 125;
export const defaultTimeoutMs = 600_000;

const passedThroughEnv = ["CI", "FORCE_COLOR", "NO_COLOR", "TERM"];

function guestEnv(kernel: KernelImage, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/tmp",
    LANG: "C.UTF-8",
    SYNQ_VM_KERNEL: kernel.uname,
  };
  for (const key of passedThroughEnv) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

/** The files of one run: what the guest reads at boot, and where its results land. */
interface RunDir {
  root: string;
  exchange: string;
  consoleLog: string;
  initramfs: string;
  stdoutSocket: string;
  stderrSocket: string;
  shares: WritableShare[];
}

function prepareRunDir(options: VmRunOptions): RunDir {
  const { kernel } = options;
  const root = mkdtempSync(join(tmpdir(), "synq-vm-"));
  const run: RunDir = {
    root,
    exchange: join(root, "exchange"),
    consoleLog: join(root, "console.log"),
    initramfs: join(root, "initramfs.cpio"),
    stdoutSocket: join(root, "stdout.sock"),
    stderrSocket: join(root, "stderr.sock"),
    shares: (options.writableShares ?? []).map((share) => ({
      hostPath: resolve(share.hostPath),
      guestPath: resolve(share.guestPath),
    })),
  };
  mkdirSync(run.exchange);
  for (const share of run.shares) mkdirSync(share.hostPath, { recursive: true });
  const config = guestConfigScript({
    uname: kernel.uname,
    hostModulesDir: kernel.modulesDir,
    hostBootDir: dirname(kernel.vmlinuz),
    writableShares: run.shares.map((share, index) => ({
      tag: writableShareTag(index),
      guestPath: share.guestPath,
    })),
  });
  writeFileSync(join(run.exchange, "config.sh"), config);
  const env = guestEnv(kernel, options.env ?? {});
  writeFileSync(
    join(run.exchange, "command.sh"),
    guestCommandScript(options.command, options.cwd ?? repoRoot, env),
  );
  writeFileSync(run.initramfs, buildInitramfs(kernel));
  return run;
}

/** Runs qemu to its end or the timeout; `onTick` is called every 250 ms meanwhile. */
function superviseQemu(
  args: string[],
  timeoutMs: number,
  onTick: () => void,
): Promise<{ code: number | null; timedOut: boolean; errors: string }> {
  const qemu = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  qemu.stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    qemu.kill("SIGKILL");
  }, timeoutMs);
  const ticker = setInterval(onTick, 250);
  return new Promise<{ code: number | null; timedOut: boolean; errors: string }>(
    (resolveExit, reject) => {
      qemu.once("error", (error) =>
        reject(new Error(`Cannot start qemu-system-x86_64: ${error.message}`)),
      );
      qemu.once("exit", (code) => resolveExit({ code, timedOut, errors }));
    },
  ).finally(() => {
    clearTimeout(timer);
    clearInterval(ticker);
    onTick();
  });
}

function readExitStatus(exchange: string): number | undefined {
  const file = join(exchange, "exit-status");
  if (!existsSync(file)) return undefined;
  const status = Number.parseInt(readFileSync(file, "utf8"), 10);
  return Number.isInteger(status) ? status : undefined;
}

function consoleTail(path: string, lines = 25): string {
  if (!existsSync(path)) return "";
  return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
}

/** Boots `kernel` under qemu, runs the command in the host root's overlay, returns its status. */
export async function runInVm(options: VmRunOptions): Promise<VmRunResult> {
  const { kernel } = options;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const run = prepareRunDir(options);
  const out = await listenSerialSink(run.stdoutSocket, stdout);
  const err = await listenSerialSink(run.stderrSocket, stderr);

  let consoleShown = 0;
  const showNewConsoleOutput = (): void => {
    if (!options.showConsole || !existsSync(run.consoleLog)) return;
    const text = readFileSync(run.consoleLog);
    if (text.length > consoleShown) stderr.write(text.subarray(consoleShown));
    consoleShown = text.length;
  };
  const started = Date.now();
  let qemu: Awaited<ReturnType<typeof superviseQemu>>;
  try {
    const args = qemuArgs({
      accel: options.accel ?? (await chooseAccel(kernel.vmlinuz)),
      memoryMiB: options.memoryMiB ?? 3072,
      cpus: options.cpus ?? 2,
      vmlinuz: kernel.vmlinuz,
      initramfs: run.initramfs,
      consoleLog: run.consoleLog,
      exchangeDir: run.exchange,
      writableShares: run.shares,
      stdoutSocket: run.stdoutSocket,
      stderrSocket: run.stderrSocket,
    });
    qemu = await superviseQemu(args, timeoutMs, showNewConsoleOutput);
    // qemu has exited, so its ends of the sockets are closing; let the last bytes arrive.
    await Promise.race([
      Promise.all([out.closed, err.closed]),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
  } finally {
    out.close();
    err.close();
  }
  const durationMs = Date.now() - started;

  const where = `kernel ${kernel.series} (${kernel.uname})`;
  const status = readExitStatus(run.exchange);
  let result: VmRunResult;
  if (qemu.timedOut) {
    const seconds = Math.round(timeoutMs / 1000);
    result = {
      exitCode: timeoutExitCode,
      outcome: "timeout",
      durationMs,
      message: `${where} did not finish within ${seconds} s; qemu was killed (console log: ${run.consoleLog})`,
    };
  } else if (status !== undefined) {
    result = { exitCode: status, outcome: "exited", durationMs };
  } else {
    const errors = qemu.errors.trim();
    const reason = errors !== "" ? `qemu said: ${errors}` : `qemu exited with ${qemu.code}`;
    result = {
      exitCode: noStatusExitCode,
      outcome: "no-status",
      durationMs,
      message: `${where} stopped without reporting the command's exit status; ${reason} (console log: ${run.consoleLog})`,
    };
  }
  if (result.outcome === "exited" && process.env.SYNQ_VM_KEEP !== "1") {
    rmSync(run.root, { recursive: true, force: true });
    return result;
  }
  if (result.outcome !== "exited" && !options.showConsole) {
    stderr.write(
      `--- last lines of the VM console (${run.consoleLog}) ---\n${consoleTail(run.consoleLog)}\n---\n`,
    );
  }
  return { ...result, runDir: run.root };
}

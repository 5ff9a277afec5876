// npm run test:vm -- [--kernel 6.1] [options] [test files...]
// Runs vitest on each kernel of the matrix (or the chosen ones) inside a VM; with no files,
// the kernel-dependent suite (defaultSuite below). Exits 1 if any kernel failed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { harnessUsage, matrixTimeoutMs, parseHarnessArgs } from "./cli-options.js";
import { ensureKernel, type KernelImage } from "./kernel-cache.js";
import { kernelMatrix, kernelSpec } from "./kernels.js";
import { LinePrefixer } from "./line-prefixer.js";
import { repoRoot } from "./paths.js";
import { runInVm } from "./run-in-vm.js";
import { runPool } from "./run-pool.js";

// The kernel-dependent suite. Parsers meet every kernel through fixtures captured there
// (tsx test/vm/capture-fixtures.ts); what must run live on each kernel is here: the VM-only
// proofs, status's sock_diag reads inside a namespace, and trace-drops end to end (every drop
// reason, the filters, the peak accept-queue depth) with the kprobe and fentry strategies
// (this host's kernel cannot run them). Emulated CPUs are ~10x slower:
// the whole integration suite would not fit CI.
const defaultSuite = [
  "test/vm-guest",
  "test/integration/sock-diag.test.ts",
  "test/integration/trace-drops.test.ts",
  "test/integration/trace-drops-reasons.test.ts",
  "test/integration/trace-peak.test.ts",
];

/** The guest command: vitest itself, since going through npx costs ~10 s of emulated CPU. */
function vitestCommand(files: readonly string[]): string[] {
  const vitest = join(repoRoot, "node_modules", ".bin", "vitest");
  if (!existsSync(vitest)) throw new Error(`${vitest} is missing: run npm ci first.`);
  return [vitest, "run", "--config", "test/vm/vitest.guest.config.ts", ...files];
}

interface KernelOutcome {
  kernel: KernelImage;
  exitCode: number;
  seconds: number;
  note: string;
}

function summary(outcomes: readonly KernelOutcome[]): string {
  const lines = outcomes.map(({ kernel, exitCode, seconds, note }) => {
    const verdict = exitCode === 0 ? "passed" : `FAILED (exit ${exitCode}${note})`;
    return `  ${kernel.series.padEnd(6)}${kernel.uname.padEnd(24)}${verdict.padEnd(32)}${seconds.toFixed(1)} s`;
  });
  const failed = outcomes.filter((outcome) => outcome.exitCode !== 0).length;
  return `synq-vm matrix: ${outcomes.length - failed} passed, ${failed} failed\n${lines.join("\n")}\n`;
}

async function main(): Promise<number> {
  if (process.argv.includes("--help")) {
    process.stdout.write(
      `Usage: npm run test:vm -- [--kernel <series>] [options] [test files...]\n${harnessUsage}\n`,
    );
    return 0;
  }
  const options = parseHarnessArgs(process.argv.slice(2), matrixTimeoutMs);
  const specs = options.kernels.length === 0 ? kernelMatrix : options.kernels.map(kernelSpec);
  const files = options.positionals.length === 0 ? defaultSuite : options.positionals;
  const log = (line: string): boolean => process.stderr.write(`synq-vm: ${line}\n`);
  // Download everything first: a missing kernel should fail before the first long boot.
  const kernels = specs.map((spec) => ensureKernel(spec, { refresh: options.refresh, log }));
  const command = vitestCommand(files);
  // An emulated VM kept less than one host core busy on average (measured), so by default
  // all kernels run side by side: the matrix then takes about as long as its slowest kernel.
  const jobs = options.jobs ?? kernels.length;
  const started = Date.now();

  const outcomes = await runPool(kernels, jobs, async (kernel): Promise<KernelOutcome> => {
    log(
      `kernel ${kernel.series}: ${kernel.package} ${kernel.version}, running vitest ${files.join(" ")}`,
    );
    // Side by side, VMs' lines would mix: label each with its kernel.
    const label = (target: NodeJS.WritableStream) =>
      jobs > 1 ? new LinePrefixer(`[${kernel.series}] `, target) : undefined;
    const stdout = label(process.stdout);
    const stderr = label(process.stderr);
    const result = await runInVm({
      kernel,
      command,
      env: options.env,
      writableShares: options.writableShares,
      timeoutMs: options.timeoutMs,
      memoryMiB: options.memoryMiB,
      showConsole: options.showConsole,
      ...(stdout && stderr ? { stdout, stderr } : {}),
    });
    stdout?.end();
    stderr?.end();
    if (result.message !== undefined) log(result.message);
    const note =
      result.outcome === "timeout"
        ? ", timed out"
        : result.outcome === "no-status"
          ? ", no status"
          : "";
    log(
      `kernel ${kernel.series}: ${result.exitCode === 0 ? "passed" : "FAILED"} in ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    return { kernel, exitCode: result.exitCode, seconds: result.durationMs / 1000, note };
  });
  process.stdout.write(summary(outcomes));
  process.stdout.write(
    `  total ${((Date.now() - started) / 1000).toFixed(1)} s with ${jobs} VM(s) at a time\n`,
  );
  return outcomes.every((outcome) => outcome.exitCode === 0) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`synq-vm: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);

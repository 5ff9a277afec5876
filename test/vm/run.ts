// Runs one command in one VM: tsx test/vm/run.ts [--kernel 6.1] [options] -- <command...>
// Exits with the command's status (124 on timeout, 125 if the VM reported none).
import { harnessUsage, parseHarnessArgs } from "./cli-options.js";
import { ensureKernel } from "./kernel-cache.js";
import { kernelSpec } from "./kernels.js";
import { runInVm } from "./run-in-vm.js";

const usage = `Usage: tsx test/vm/run.ts [--kernel <series>] [options] -- <command> [args...]\n${harnessUsage}`;

async function main(): Promise<number> {
  const options = parseHarnessArgs(process.argv.slice(2));
  if (options.positionals.length === 0) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  if (options.kernels.length > 1) throw new Error("run.ts boots one kernel; give --kernel once.");
  const kernel = ensureKernel(kernelSpec(options.kernels[0] ?? "6.1"), {
    refresh: options.refresh,
    log: (line) => process.stderr.write(`synq-vm: ${line}\n`),
  });
  const result = await runInVm({
    kernel,
    command: options.positionals,
    env: options.env,
    writableShares: options.writableShares,
    timeoutMs: options.timeoutMs,
    memoryMiB: options.memoryMiB,
    showConsole: options.showConsole,
  });
  if (result.message !== undefined) process.stderr.write(`synq-vm: ${result.message}\n`);
  return result.exitCode;
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

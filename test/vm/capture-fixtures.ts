// tsx test/vm/capture-fixtures.ts [--kernel 6.1] [options]
// Runs the project's fixture capture in each kernel's VM. The guest writes into a staging
// directory shared read-write with the host; each folder it made then replaces its
// namesake under fixtures/, so a failed capture leaves the previous fixtures in place.
//   fixtures/capture.ts <root>  writes <root>/<uname -r>_iproute2-<version>/<scenario>/
//   fixtures/capture.sh <dir>   (if there is no capture.ts) writes into <dir>, which is
//                               <root>/<uname -r>-qemu-debian
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { harnessUsage, parseHarnessArgs } from "./cli-options.js";
import { ensureKernel, type KernelImage } from "./kernel-cache.js";
import { kernelMatrix, kernelSpec } from "./kernels.js";
import { repoRoot } from "./paths.js";
import { runInVm } from "./run-in-vm.js";

const fixturesDir = join(repoRoot, "fixtures");

/** The guest command that captures `kernel`'s fixtures under `root`. */
function captureCommand(kernel: KernelImage, root: string): string[] {
  if (existsSync(join(fixturesDir, "capture.ts"))) {
    return ["node", "--import", "tsx", join(fixturesDir, "capture.ts"), root];
  }
  if (existsSync(join(fixturesDir, "capture.sh"))) {
    return ["bash", join(fixturesDir, "capture.sh"), join(root, `${kernel.uname}-qemu-debian`)];
  }
  throw new Error(
    `Neither fixtures/capture.ts nor fixtures/capture.sh exists: nothing to capture with.`,
  );
}

async function main(): Promise<number> {
  if (process.argv.includes("--help")) {
    process.stdout.write(
      `Usage: tsx test/vm/capture-fixtures.ts [--kernel <series>] [options]\n${harnessUsage}\n`,
    );
    return 0;
  }
  const options = parseHarnessArgs(process.argv.slice(2));
  const specs = options.kernels.length === 0 ? kernelMatrix : options.kernels.map(kernelSpec);
  const log = (line: string): boolean => process.stderr.write(`synq-vm: ${line}\n`);
  let failures = 0;
  for (const spec of specs) {
    const kernel = ensureKernel(spec, { refresh: options.refresh, log });
    const stagingDir = join(fixturesDir, `.capturing-${kernel.uname}`);
    rmSync(stagingDir, { recursive: true, force: true });
    log(`kernel ${kernel.series}: capturing fixtures for ${kernel.uname}`);
    const result = await runInVm({
      kernel,
      command: captureCommand(kernel, stagingDir),
      env: options.env,
      writableShares: [...options.writableShares, { hostPath: stagingDir, guestPath: stagingDir }],
      timeoutMs: options.timeoutMs,
      memoryMiB: options.memoryMiB,
      showConsole: options.showConsole,
    });
    if (result.message !== undefined) log(result.message);
    const captured = existsSync(stagingDir) ? readdirSync(stagingDir) : [];
    if (result.exitCode !== 0 || captured.length === 0) {
      log(
        `kernel ${kernel.series}: capture failed (exit ${result.exitCode}); fixtures left as they were`,
      );
      rmSync(stagingDir, { recursive: true, force: true });
      failures++;
      continue;
    }
    for (const folder of captured) {
      rmSync(join(fixturesDir, folder), { recursive: true, force: true });
      renameSync(join(stagingDir, folder), join(fixturesDir, folder));
      log(
        `kernel ${kernel.series}: wrote fixtures/${folder}/ (${(result.durationMs / 1000).toFixed(1)} s)`,
      );
    }
    rmSync(stagingDir, { recursive: true, force: true });
  }
  return failures === 0 ? 0 : 1;
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

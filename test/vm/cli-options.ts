import { parseArgs } from "node:util";
import type { WritableShare } from "./qemu-args.js";
import { defaultTimeoutMs } from "./run-in-vm.js";

/**
 * matrix.ts's VM timeout: a whole vitest suite under emulation takes far longer than one
 * command (the kernel suite: about 15 minutes on a quiet host, over 30 when the host's cores
 * are shared with other work).
 */
export const matrixTimeoutMs = 2_700_000;

/** Options shared by run.ts, matrix.ts and capture-fixtures.ts. */
export interface HarnessOptions {
  kernels: string[];
  timeoutMs: number;
  memoryMiB: number;
  writableShares: WritableShare[];
  env: Record<string, string>;
  showConsole: boolean;
  refresh: boolean;
  /** How many VMs matrix.ts runs at once; undefined: one per kernel. */
  jobs: number | undefined;
  positionals: string[];
}

export const harnessUsage = `Options:
  --kernel <series>     kernel to boot: 5.10, 6.1 or 6.12 (run.ts: one, default 6.1;
                        others: repeatable, default all)
  --timeout <seconds>   kill a VM that runs longer (default ${defaultTimeoutMs / 1000}, matrix.ts ${matrixTimeoutMs / 1000};
                        env SYNQ_VM_TIMEOUT)
  --memory <MiB>        guest memory (default 3072)
  --share <host[:guest]> host directory the guest may write, at the same or the given path (repeatable)
  --env <KEY=VALUE>     extra guest environment variable (repeatable)
  --jobs <n>            matrix.ts: VMs at once (default: all kernels at once; env SYNQ_VM_JOBS);
                        with more than one, output lines get a [kernel] prefix
  --console             copy the guest's kernel console to stderr
  --refresh             download the suite's current kernel again
Environment: SYNQ_VM_CACHE (download cache, default .vm-cache), SYNQ_VM_ACCEL (kvm|tcg),
SYNQ_VM_CPU (qemu -cpu), SYNQ_VM_APPEND (extra kernel command line), SYNQ_VM_KEEP=1 (keep
each run's directory). See test/vm/README.md.`;

function positiveNumber(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${what} must be a positive number, not "${text}".`);
  return value;
}

function parseShare(text: string): WritableShare {
  const colon = text.indexOf(":");
  return colon < 0
    ? { hostPath: text, guestPath: text }
    : { hostPath: text.slice(0, colon), guestPath: text.slice(colon + 1) };
}

function parseEnv(texts: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const text of texts) {
    const equals = text.indexOf("=");
    if (equals <= 0) throw new Error(`--env takes KEY=VALUE, not "${text}".`);
    env[text.slice(0, equals)] = text.slice(equals + 1);
  }
  return env;
}

/** Parses the harness's command line; everything after `--` (or the first non-option) is positional. */
export function parseHarnessArgs(
  argv: readonly string[],
  timeoutDefaultMs = defaultTimeoutMs,
): HarnessOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      kernel: { type: "string", multiple: true },
      timeout: { type: "string" },
      memory: { type: "string" },
      share: { type: "string", multiple: true },
      env: { type: "string", multiple: true },
      console: { type: "boolean", default: false },
      refresh: { type: "boolean", default: false },
      jobs: { type: "string" },
    },
  });
  const timeout = values.timeout ?? process.env.SYNQ_VM_TIMEOUT;
  const jobs = values.jobs ?? process.env.SYNQ_VM_JOBS;
  return {
    kernels: values.kernel ?? [],
    timeoutMs:
      timeout === undefined ? timeoutDefaultMs : positiveNumber(timeout, "--timeout") * 1000,
    memoryMiB: values.memory === undefined ? 3072 : positiveNumber(values.memory, "--memory"),
    writableShares: (values.share ?? []).map(parseShare),
    env: parseEnv(values.env ?? []),
    showConsole: values.console ?? false,
    refresh: values.refresh ?? false,
    jobs: jobs === undefined ? undefined : Math.floor(positiveNumber(jobs, "--jobs")),
    positionals,
  };
}

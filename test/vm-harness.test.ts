// The VM harness (test/vm) seen from the host: exit statuses, output and the writable
// share come back from a real VM, and a hung VM is killed. Boots Debian's 6.1 kernel.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, missing } from "./helpers/prerequisites.js";
import { repoRoot } from "./vm/paths.js";

const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
const runScript = join(repoRoot, "test", "vm", "run.ts");

interface HarnessRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function harness(args: readonly string[]): Promise<HarnessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [runScript, "--kernel", "6.1", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

// Inside a VM there is no nested VM to start: this file belongs to the host run.
const skip =
  process.env.SYNQ_VM_KERNEL !== undefined
    ? "runs on the host, not inside a harness VM"
    : missing(
        hasTool("qemu-system-x86_64") &&
          hasTool("apt-get") &&
          hasTool("dpkg-deb") &&
          hasTool("depmod") &&
          hasTool("xz") &&
          existsSync("/bin/busybox"),
        "qemu-system-x86, busybox-static, kmod and xz-utils (see test/vm/README.md)",
      );

describe.skipIf(skip)("the VM harness, on Debian's 6.1 kernel", () => {
  const shareDir = mkdtempSync(join(tmpdir(), "synq-vm-share-"));
  afterAll(() => {
    rmSync(shareDir, { recursive: true, force: true });
  });

  it("exits with the status of a failing command and passes its stderr back", async () => {
    const run = await harness(["--", "sh", "-c", "echo on-stderr >&2; exit 7"]);
    expect(run.status, run.stderr).toBe(7);
    expect(run.stderr).toContain("on-stderr");
  }, 300_000);

  it("exits 0 for a succeeding command, with its stdout, and the guest can write a shared host directory", async () => {
    const script = 'uname -r; echo "$SYNQ_VM_KERNEL" > "$1/kernel"';
    const run = await harness(["--share", shareDir, "--", "sh", "-c", script, "sh", shareDir]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^6\.1\.\d+-\d+-amd64\n$/);
    expect(readFileSync(join(shareDir, "kernel"), "utf8")).toBe(run.stdout);
  }, 300_000);

  it("kills a VM that outlives --timeout, with one line saying so", async () => {
    const run = await harness(["--timeout", "10", "--", "sleep", "600"]);
    expect(run.status).toBe(124);
    expect(run.stderr).toMatch(
      /^synq-vm: kernel 6\.1 \(.+\) did not finish within 10 s; qemu was killed/m,
    );
  }, 300_000);
});

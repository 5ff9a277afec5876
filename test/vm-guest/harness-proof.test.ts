// Runs inside the harness's VMs (test/vm): proves the booted kernel is the one the host
// chose and that kprobe and fentry BPF programs work there, as synq's tracer needs.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const expectedKernel = process.env.SYNQ_VM_KERNEL;
if (expectedKernel === undefined) {
  throw new Error(
    "test/vm-guest runs only inside the VM harness: npm run test:vm (SYNQ_VM_KERNEL is unset).",
  );
}

/** Opens and closes `count` loopback TCP connections to a throwaway listener. */
async function loopbackConnections(count: number): Promise<void> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve, reject) => {
        connect(port, "127.0.0.1")
          .on("close", () => resolve())
          .on("error", reject)
          .resume();
      });
    }
  } finally {
    server.close();
  }
}

/** Resolves once `condition` holds, polling; rejects after `ms` with `describe()` in the message. */
async function waitFor(
  condition: () => boolean,
  ms: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ATTACH_WAIT_MS = 120_000;
/** How long the probe has to report the connections' firings once they are made. */
const FIRE_WAIT_MS = 120_000;
/** How long bpftrace gets to exit after SIGINT before it is killed. */
const STOP_WAIT_MS = 60_000;

/**
 * Runs a bpftrace program (unbuffered, so each printf arrives as it fires) until `work` is
 * done and `enough(output)` holds, then stops it and returns what it printed. bpftrace runs
 * BEGIN only once every probe is attached, so "ready" means tracing. The firings are read as
 * they are printed, not from the map bpftrace prints on exit: detaching takes bpftrace
 * minutes at times on an emulated CPU shared by three VMs (over 240 s seen on 6.12), and its
 * exit is not what this proves.
 */
async function traceWhile(
  program: string,
  work: () => Promise<void>,
  enough: (output: string) => boolean,
): Promise<string> {
  const tracer = spawn(
    "bpftrace",
    ["-B", "none", "-e", `BEGIN { printf("ready\\n"); } ${program}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let exitCode: number | null | undefined;
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  tracer.stdout.on("data", append);
  tracer.stderr.on("data", append);
  tracer.once("exit", (code) => {
    exitCode = code;
  });
  try {
    await waitFor(
      () => output.includes("ready") || exitCode !== undefined,
      ATTACH_WAIT_MS,
      () => `bpftrace did not attach within ${ATTACH_WAIT_MS / 1000} s:\n${output}`,
    );
    if (exitCode !== undefined)
      throw new Error(`bpftrace exited (${exitCode}) before attaching:\n${output}`);
    await work();
    await waitFor(
      () => enough(output) || exitCode !== undefined,
      FIRE_WAIT_MS,
      () => `bpftrace did not report the firings within ${FIRE_WAIT_MS / 1000} s:\n${output}`,
    );
    tracer.kill("SIGINT");
    await waitFor(
      () => exitCode !== undefined,
      STOP_WAIT_MS,
      () => "",
    ).catch(() => {});
    return output;
  } finally {
    if (exitCode === undefined) tracer.kill("SIGKILL");
  }
}

/** How many times the probe printed `conn_request`. */
const firings = (output: string): number => output.match(/^conn_request$/gm)?.length ?? 0;

describe("the VM the harness booted", () => {
  it("runs the kernel the host chose", () => {
    expect(execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()).toBe(expectedKernel);
  });

  it("has kprobe events in tracefs", () => {
    expect(existsSync("/sys/kernel/tracing/kprobe_events")).toBe(true);
  });

  it(
    "fires a BPF kprobe on tcp_conn_request for each loopback connection",
    async () => {
      const output = await traceWhile(
        'kprobe:tcp_conn_request { printf("conn_request\\n"); }',
        () => loopbackConnections(5),
        (out) => firings(out) >= 5,
      );
      expect(firings(output), output).toBeGreaterThanOrEqual(5);
    },
    ATTACH_WAIT_MS + FIRE_WAIT_MS + STOP_WAIT_MS + 60_000,
  );

  describe("fentry", () => {
    let workDir = "";
    beforeAll(() => {
      workDir = mkdtempSync(join(tmpdir(), "fentry-probe-"));
    });
    afterAll(() => {
      rmSync(workDir, { recursive: true, force: true });
    });

    it("loads an fentry program on tcp_conn_request", () => {
      const object = join(workDir, "fentry-probe.bpf.o");
      execFileSync("clang", [
        "-O2",
        "-target",
        "bpf",
        "-c",
        "test/vm/bpf/fentry-probe.bpf.c",
        "-o",
        object,
      ]);
      const pin = "/sys/fs/bpf/synq-fentry-probe";
      rmSync(pin, { force: true });
      try {
        execFileSync("bpftool", ["prog", "load", object, pin], {
          stdio: ["ignore", "pipe", "pipe"],
        });
        const shown = execFileSync("bpftool", ["prog", "show", "pinned", pin], {
          encoding: "utf8",
        });
        // Without BTF in the object the kernel keeps only the name's first 15 bytes.
        expect(shown).toMatch(/tracing\s+name on_tcp_conn_req/);
      } finally {
        rmSync(pin, { force: true });
      }
    });
  });
});

/**
 * synq trace-drops leaves nothing behind: after Ctrl-C (SIGINT), SIGTERM, a closed pipe
 * (`| head`), a write error and a refused start, no tracer program, map or link is left
 * (bpftool), and no clsact qdisc or filter it added (tc), with either tc hook. With tcx even
 * SIGKILL leaves nothing. A qdisc and filter that existed before synq started are left as
 * they were. And each refusal is one line with a fix.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import {
  fentrySupported,
  ingressFilters,
  kprobesSupported,
  qdiscKinds,
  strategiesHere,
  tcxSupported,
  tracerTcxLinks,
  waitForNoLeftovers,
} from "../helpers/bpf-state.js";
import {
  createNetns,
  deleteNetns,
  inNetns,
  type RunningScenario,
  startScenario,
} from "../helpers/netns.js";
import { expectOneLineError, withJson } from "../helpers/one-line-error.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { runTraceWrapped, startTrace, synqShellCommand } from "../helpers/trace-run.js";

const tools = ["ip", "tc", "bpftool", "clang", "setpriv", "unshare", "bash", "head"];
const skip = missing(isRoot && tools.every(hasTool), `root with ${tools.join(", ")}`);
const tcxHere = !skip && tcxSupported();
/** The tc hooks this kernel has: both where tcx exists (6.6+), else clsact. */
const tcHooks = skip ? [] : tcxHere ? (["tcx", "clsact"] as const) : (["clsact"] as const);

let ns = "";
beforeEach(() => {
  if (!skip) ns = createNetns("synq-exit");
});
afterEach(() => {
  deleteNetns(ns);
});

/** Connections into a never-accepting backlog-1 listener: drops keep coming for seconds. */
function flood(): Promise<RunningScenario> {
  return startScenario(ns, {
    listeners: [{ address: "127.0.0.1", port: 8080, backlog: 1 }],
    connect: [{ host: "127.0.0.1", port: 8080, count: 20 }],
    settleMs: 100,
  });
}

/** Nothing of synq's remains: BPF objects (bpftool) and tc state on lo (tc). */
async function expectNothingLeft(qdiscsBefore: string[]): Promise<void> {
  expect(await waitForNoLeftovers()).toEqual([]);
  expect(qdiscKinds(ns, "lo")).toEqual(qdiscsBefore);
  if (qdiscsBefore.includes("clsact")) {
    expect(ingressFilters(ns, "lo").filter((f) => /bpf/.test(f))).toEqual([]);
  }
}

describe.skipIf(skip)("synq trace-drops exits cleanly", () => {
  for (const [signal, tcHook] of tcHooks.flatMap((h) =>
    (["SIGINT", "SIGTERM"] as const).map((sig) => [sig, h] as const),
  )) {
    it(`on ${signal} (tc via ${tcHook}): no program, map, link, qdisc or filter is left`, async () => {
      const before = qdiscKinds(ns, "lo");
      expect(before).not.toContain("clsact");
      const trace = await startTrace(["--netns", ns, "--strategy", "tc", "--tc-hook", tcHook]);
      let code: number | null;
      try {
        if (tcHook === "clsact") {
          // Its qdisc and filter are there (the kernel keeps 15 bytes of a name).
          expect(qdiscKinds(ns, "lo")).toContain("clsact");
          expect(ingressFilters(ns, "lo").join("\n")).toMatch(/bpf .*acceptq_tc_ingr/);
        } else {
          // A link on lo, the namespace's only interface, and no qdisc.
          expect(tracerTcxLinks()).toHaveLength(1);
          expect(qdiscKinds(ns, "lo")).toEqual(before);
        }
        const s = await flood();
        await sleep(500);
        code = await trace.stop(signal);
        await s.stop();
      } finally {
        await trace.stop("SIGKILL");
      }
      expect(code).toBe(0);
      expect(trace.stdout()).toMatch(/accept-queue-full/);
      expect(trace.stdout()).toMatch(/Drops by listener/);
      await expectNothingLeft(before);
    });
  }

  if (tcxHere) {
    it("on SIGKILL (tc via tcx): the kernel drops the links with the process, nothing is left", async () => {
      const before = qdiscKinds(ns, "lo");
      const trace = await startTrace(["--netns", ns, "--strategy", "tc", "--tc-hook", "tcx"]);
      try {
        expect(tracerTcxLinks()).toHaveLength(1);
        const s = await flood();
        await sleep(300);
        expect(await trace.stop("SIGKILL")).toBeNull();
        await s.stop();
      } finally {
        await trace.stop("SIGKILL");
      }
      await expectNothingLeft(before);
    });
  }

  for (const strategy of skip ? [] : strategiesHere()) {
    it(`with --strategy ${strategy}: Ctrl-C detaches every link and frees every map`, async () => {
      const before = qdiscKinds(ns, "lo");
      const trace = await startTrace(["--netns", ns, "--strategy", strategy, "--verbose"]);
      let code: number | null;
      try {
        expect(trace.stderr()).toMatch(new RegExp(`strategy ${strategy}: used`));
        const s = await flood();
        await sleep(300);
        code = await trace.stop("SIGINT");
        await s.stop();
      } finally {
        await trace.stop("SIGKILL");
      }
      expect(code, trace.stderr()).toBe(0);
      expect(trace.stdout()).toMatch(/\d+ +accept-queue-full /);
      await expectNothingLeft(before);
    });
  }

  it("when its output pipe closes (| head): exits 0 and removes everything", async () => {
    const before = qdiscKinds(ns, "lo");
    const cmd = `${synqShellCommand(["--netns", ns])} | head -n 3; echo "synq=\${PIPESTATUS[0]}" >&2`;
    const sh = spawn("bash", ["-c", cmd], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    sh.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    sh.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((r) => sh.on("exit", r));
    try {
      // head buffers its output until it exits: the banner on stderr says synq attached.
      for (let waited = 0; !err.includes("synq: tracing"); waited += 20) {
        if (waited > 20_000) throw new Error(`synq did not start: ${err}`);
        await sleep(20);
      }
      const s = await flood();
      const timeout = sleep(20_000).then(() => "timeout");
      expect(await Promise.race([exited, timeout])).not.toBe("timeout");
      await s.stop();
    } finally {
      // bash would not pass a kill on to synq: stop synq itself, by its pid.
      if (sh.exitCode === null) {
        const pids = spawnSync("pgrep", ["-P", String(sh.pid)], { encoding: "utf8" }).stdout;
        for (const pid of pids.split("\n").filter((p) => p !== ""))
          process.kill(Number(pid), "SIGINT");
        sh.kill("SIGKILL");
      }
    }
    expect(out.trimEnd().split("\n")).toHaveLength(3);
    expect(out).toMatch(/^TIME\(us\).*\n\d+ +accept-queue-full /);
    expect(err).toMatch(/synq=0/);
    await expectNothingLeft(before);
  });

  it("on a write error: exits 7 with one line, and removes everything", async () => {
    const before = qdiscKinds(ns, "lo");
    for (const args of [["--netns", ns], withJson(["--netns", ns])]) {
      const r = runTraceWrapped(["sh", "-c", 'exec "$@" >/dev/full', "sh"], args);
      expect(r.status, r.stderr).toBe(ExitCode.systemRead);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines.at(-1)).toMatch(/^synq: cannot write the output \(ENOSPC\); /);
      await expectNothingLeft(before);
    }
  });

  it("leaves a clsact qdisc and filters that were there before it alone", async () => {
    inNetns(ns, "tc", ["qdisc", "add", "dev", "lo", "clsact"]);
    inNetns(ns, "tc", [
      "filter",
      "add",
      "dev",
      "lo",
      "ingress",
      "pref",
      "7",
      "u32",
      "match",
      "u32",
      "0",
      "0",
      "flowid",
      "1:1",
    ]);
    const theirs = ingressFilters(ns, "lo");
    const trace = await startTrace([
      "--netns",
      ns,
      "--strategy",
      "tc",
      "--tc-hook",
      "clsact",
      "--interface",
      "lo",
    ]);
    let code: number | null;
    try {
      expect(ingressFilters(ns, "lo").length).toBeGreaterThan(theirs.length);
      code = await trace.stop("SIGINT");
    } finally {
      await trace.stop("SIGKILL");
    }
    expect(code).toBe(0);
    expect(await waitForNoLeftovers()).toEqual([]);
    expect(qdiscKinds(ns, "lo")).toContain("clsact");
    expect(ingressFilters(ns, "lo")).toEqual(theirs);
  });

  it("after --duration, with the summary as the last JSON line", async () => {
    const before = qdiscKinds(ns, "lo");
    const r = runTraceWrapped([], ["--netns", ns, "--duration", "0.5", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trimEnd().split("\n").at(-1) as string);
    expect(last).toMatchObject({ type: "summary", schemaVersion: 1 });
    await expectNothingLeft(before);
  });
});

/**
 * `synq trace-drops ARGS` under `wrapper`, as given and with --json: each time one line on
 * stderr (matching `pattern`, and `why` if given), nothing on stdout, the exit code, and
 * nothing left in the kernel.
 */
async function expectRefusal(
  wrapper: string[],
  args: string[],
  code: number,
  pattern: RegExp,
  why?: RegExp,
) {
  for (const [mode, argv] of [
    ["without --json, ", args],
    ["with --json, ", withJson(args)],
  ] as const) {
    const r = runTraceWrapped(wrapper, argv);
    expectOneLineError(r, code, pattern, mode);
    if (why) expect(r.stderr).toMatch(why);
    expect(await waitForNoLeftovers()).toEqual([]);
    expect(qdiscKinds(ns, "lo")).not.toContain("clsact");
  }
}

describe.skipIf(skip)("synq trace-drops refuses to start with a one-line fix", () => {
  it("without root", async () => {
    await expectRefusal(
      ["env", "HOME=/nonexistent", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
      ["--netns", ns],
      ExitCode.permission,
      /^synq: .*needs root.*; rerun with sudo$/m,
    );
  });

  it("as root without CAP_BPF and CAP_PERFMON", async () => {
    await expectRefusal(
      ["setpriv", "--bounding-set=-bpf,-perfmon,-sys_admin"],
      ["--netns", ns],
      ExitCode.permission,
      /^synq: .*runs as root but without CAP_BPF and CAP_PERFMON; .*--cap-add BPF/m,
    );
  });

  it("on a kernel without BTF", async () => {
    const empty = mkdtempSync(join(tmpdir(), "synq-nobtf-"));
    try {
      await expectRefusal(
        ["unshare", "-m", "sh", "-c", `mount --bind ${empty} /sys/kernel/btf && exec "$@"`, "sh"],
        ["--netns", ns],
        ExitCode.kernelUnsupported,
        /^synq: this kernel has no BTF .*; boot a kernel built with CONFIG_DEBUG_INFO_BTF=y/m,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("without libbpf.so.1", async () => {
    await expectRefusal(
      [
        "unshare",
        "-m",
        "sh",
        "-c",
        'lib=$(readlink -f /lib/x86_64-linux-gnu/libbpf.so.1) && mount --bind /dev/null "$lib" && exec "$@"',
        "sh",
      ],
      ["--netns", ns],
      ExitCode.missingTool,
      /^synq: libbpf\.so\.1 is not installed; install it \(Debian\/Ubuntu: apt-get install libbpf1/m,
    );
  });

  it("for a forced strategy this kernel does not offer", async () => {
    const unavailable: { strategy: string; wrapper: string[]; why: RegExp }[] = [];
    if (!fentrySupported()) unavailable.push({ strategy: "fentry", wrapper: [], why: /EPERM|BTF/ });
    // Where kprobes exist, hide them (a mount namespace over their sysfs/tracefs files).
    unavailable.push({
      strategy: "kprobe",
      wrapper: kprobesSupported()
        ? [
            "unshare",
            "-m",
            "sh",
            "-c",
            'mount -t tmpfs none /sys/bus/event_source && mount -t tmpfs none /sys/kernel/tracing && mount -t tmpfs none /sys/kernel/debug && exec "$@"',
            "sh",
          ]
        : [],
      why: /no kprobes \(CONFIG_KPROBES is off\)/,
    });
    for (const u of unavailable) {
      await expectRefusal(
        u.wrapper,
        ["--netns", ns, "--strategy", u.strategy],
        ExitCode.kernelUnsupported,
        new RegExp(
          `^synq: --strategy ${u.strategy} is not available on kernel .*; use --strategy auto`,
          "m",
        ),
        u.why,
      );
    }
  });

  it("for a namespace that does not exist", async () => {
    await expectRefusal(
      [],
      ["--netns", "no-such-netns-synq"],
      ExitCode.badInput,
      /^synq: network namespace "no-such-netns-synq" does not exist/m,
    );
  });

  it("for a file that is not a network namespace", async () => {
    await expectRefusal(
      [],
      ["--netns", "/etc/passwd"],
      ExitCode.badInput,
      /^synq: \/etc\/passwd is not a network namespace file; give a name from `ip netns list` or a path like \/proc\/PID\/ns\/net$/,
    );
  });

  // --interface means the tc strategy: auto must not pick another one and ignore it.
  it("for an interface the traced namespace does not have, without --strategy", async () => {
    await expectRefusal(
      [],
      ["--netns", ns, "--interface", "nosuch0"],
      ExitCode.badInput,
      /^synq: no interface nosuch0 in the traced network namespace; choose one of: lo$/,
    );
  });

  it("for --interface beside a strategy that cannot honour it", async () => {
    await expectRefusal(
      [],
      ["--netns", ns, "--strategy", "cgroup", "--interface", "lo"],
      ExitCode.badInput,
      /^synq: --interface applies to the tc strategy, not cgroup$/,
    );
  });
});

/**
 * What `synq trace-drops` costs the kernel: the rate of a flood with the tracer attached
 * divided by the rate without it, measured in the same run (budget ≥ 0.97), for every
 * strategy this kernel supports, and for bpftrace running an acceptq.stp equivalent where
 * bpftrace and kprobes exist (the qemu harness's kernels).
 *
 * Three floods into a private namespace (bench/flood.c, compiled at the start with clang):
 *   connect  whole connections over loopback (connect, accept, reset), tcp_syncookies=1:
 *            a busy server's everyday handshakes, nothing dropped;
 *   cookie   SYNs from spoofed sources, tcp_syncookies=2: every SYN is answered with a cookie
 *            (the SYN-ACKs leave through an ifb interface, as through a NIC), nothing is
 *            dropped, so the tracer classifies every SYN and reports none: the cheapest SYN
 *            path there is, and so the tracer's largest share of it;
 *   overflow the same SYNs into a full accept queue: every SYN is a drop the tracer counts
 *            and delivers (the worst case). synq prints to /dev/null, bpftrace likewise.
 * Two ways to compare, by where the tracer's cost lands:
 *   interleaved  a tracer confined to one namespace or cgroup (synq's tc strategy, its cgroup
 *                strategy on the cgroup of the traced sockets, the no-op references): one
 *                generator floods that namespace and an identical untraced twin in turn, 128
 *                SYNs or 32 connections at a time, and takes the median of the per-block rate
 *                ratios; the twin against itself (no tracer) shows the method's noise;
 *   rounds       a tracer that sees every namespace (fentry, kprobe, bpftrace): rounds
 *                alternate baseline and traced floods, and the figure is the median of the
 *                per-round ratios.
 * A cgroup program runs per packet of each socket of its cgroup and below, the same work
 * wherever it is attached: on the traced sockets' cgroup it is measured as synq pays it on the
 * root cgroup, without the twin paying it too.
 * Usage (root): npx tsx bench/tracer-overhead.ts [--rounds N] [--count SYNS]
 *   [--flood connect|cookie|overflow …] [--tracer fentry|kprobe|cgroup|tc|bpftrace|hook …]
 * (a connection flood makes COUNT/8 connections). "clsact hook alone", "tcx hook alone" and
 * "cgroup hook alone" are references: a no-op program on the same hook, the floor of any
 * tracer there.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BpfObject } from "../src/ffi/libbpf.js";
import { NetnsHandle } from "../src/system/enter-netns.js";
import { cgroup2MountPoint } from "../src/trace/kernel-features.js";
import { listInterfaces, tcAttach, tcDetach } from "../src/trace/tc.js";
import { strategiesHere, tcxSupported } from "../test/helpers/bpf-state.js";
import {
  createNetns,
  deleteNetns,
  type RunningScenario,
  setNetnsSysctl,
  startScenario,
} from "../test/helpers/netns.js";
import { startTrace } from "../test/helpers/trace-run.js";

const FLOOD_SOURCE = fileURLToPath(new URL("./flood.c", import.meta.url));

/** One flood: bench/flood.c's mode, where it goes, and the namespace's tcp_syncookies. */
interface Flood {
  name: "connect" | "cookie" | "overflow";
  mode: "connect" | "syn";
  /** 9000: flood.c's own listener; 8080: room in the accept queue; 8081: a full one. */
  port: number;
  syncookies: number;
  /** How many SYNs or connections, given --count. */
  count: (synCount: number) => number;
}

const FLOODS: readonly Flood[] = [
  { name: "connect", mode: "connect", port: 9000, syncookies: 1, count: (n) => Math.ceil(n / 8) },
  { name: "cookie", mode: "syn", port: 8080, syncookies: 2, count: (n) => n },
  { name: "overflow", mode: "syn", port: 8081, syncookies: 2, count: (n) => n },
];

/** Compiles the flood generator into `dir`; returns the binary's path. */
function buildFlood(dir: string): string {
  const binary = join(dir, "flood");
  execFileSync("clang", ["-O2", "-o", binary, FLOOD_SOURCE]);
  return binary;
}

/** acceptq.stp's logic in bpftrace: report SYNs that find the accept queue full. */
export const BPFTRACE_ACCEPTQ = `
kprobe:tcp_conn_request {
  $sk = (struct sock *)arg2;
  if ($sk->sk_ack_backlog > $sk->sk_max_ack_backlog) {
    $skb = (struct sk_buff *)arg3;
    $ip = (struct iphdr *)($skb->head + $skb->network_header);
    printf("%llu %u %u %s:%u %s\\n", nsecs, $sk->sk_ack_backlog, $sk->sk_max_ack_backlog,
      ntop($sk->__sk_common.skc_rcv_saddr), $sk->__sk_common.skc_num, ntop($ip->saddr));
  }
}
`;

/** Where a tracer is started: the flooded namespace, and a cgroup holding its listeners. */
interface Target {
  ns: string;
  cgroup: string | null;
}

interface Tracer {
  name: string;
  /** Whether its cost lands only on the target (measured interleaved) or everywhere. */
  confined: boolean;
  start: (target: Target) => Promise<() => Promise<void>>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
}

/** The last CPU: the flood generator is pinned there, away from synq's consumer. */
const FLOOD_CPU = String(availableParallelism() - 1);

/**
 * Keeps this process and everything it starts (synq, bpftrace, the scenario) off the flood's
 * CPU: a tracer starting or exiting there would land in the next flood's time.
 */
function stayOffFloodCpu(): void {
  const cpus = availableParallelism();
  if (cpus < 2) return;
  execFileSync("taskset", ["-a", "-p", "-c", `0-${cpus - 2}`, String(process.pid)], {
    stdio: "ignore",
  });
}

/** What bench/flood.c prints when it compares two namespaces. */
interface Interleaved {
  ratio: number;
  nsEachA: number;
  nsEachB: number;
}

/**
 * The best of three floods by `generator`, each timed inside it: SYNs or connections per
 * second. Interference from elsewhere on the machine only ever slows a flood down, so the
 * fastest of a few is the steadiest reading of what the kernel itself costs.
 */
function bestOfThree(generator: string, f: Flood, ns: string, count: number): number {
  return Math.max(...[0, 1, 2].map(() => floodOnce(generator, f, ns, count)));
}

function floodArgs(generator: string, f: Flood, count: number): string[] {
  return ["taskset", "-c", FLOOD_CPU, generator, f.mode, "127.0.0.1", `${f.port}`, `${count}`];
}

function floodOnce(generator: string, f: Flood, ns: string, count: number): number {
  const out = execFileSync("ip", ["netns", "exec", ns, ...floodArgs(generator, f, count)], {
    encoding: "utf8",
  });
  return (JSON.parse(out) as { perSecond: number }).perSecond;
}

/**
 * One interleaved flood of `traced` and `twin` (`count` each): the median over blocks of
 * traced's rate ÷ twin's rate, and each side's nanoseconds per SYN or connection.
 */
function interleavedFlood(
  generator: string,
  f: Flood,
  traced: Target,
  twin: string,
  count: number,
): Interleaved {
  const [cmd, ...args] = floodArgs(generator, f, count) as [string, ...string[]];
  // The traced side's own sockets (the connection flood's) join the traced cgroup.
  const sides = [`/run/netns/${traced.ns}`, `/run/netns/${twin}`, traced.cgroup ?? "-", "-"];
  const out = execFileSync(cmd, [...args, ...sides], { encoding: "utf8" });
  return JSON.parse(out) as Interleaved;
}

/**
 * synq itself. tc attaches to the traced namespace's interfaces only (either hook); cgroup to
 * the cgroup holding the traced namespace's listeners (--cgroup): per packet the same program
 * as on the root cgroup, where every socket of the machine would pay it.
 */
function synqTracer(strategy: string, extra: string[] = []): Tracer {
  return {
    name: ["synq --strategy", strategy, ...extra].join(" "),
    confined: strategy === "tc" || strategy === "cgroup",
    start: async ({ ns, cgroup }) => {
      const where = strategy === "cgroup" && cgroup ? ["--cgroup", cgroup] : [];
      const t = await startTrace(["--netns", ns, "--strategy", strategy, ...where, ...extra], {
        discardStdout: true,
        ready: (_out, err) => err.includes("synq: tracing"),
        timeoutMs: 300_000,
      });
      return async () => {
        const code = await t.stop("SIGINT");
        if (code !== 0) throw new Error(`synq exited ${code}: ${t.stderr()}`);
      };
    },
  };
}

/** Ids of the kprobe programs loaded now. */
function kprobeProgIds(): Set<number> {
  const progs = JSON.parse(
    execFileSync("bpftool", ["-j", "prog", "list"], { encoding: "utf8" }),
  ) as {
    id: number;
    type: string;
  }[];
  return new Set(progs.filter((p) => p.type === "kprobe").map((p) => p.id));
}

const bpftraceTracer: Tracer = {
  name: "bpftrace (acceptq.stp equivalent)",
  confined: false,
  start: async () => {
    const before = kprobeProgIds();
    const child = spawn("bpftrace", ["-e", BPFTRACE_ACCEPTQ], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    // Its output goes to /dev/null like synq's: attached once its kprobe program exists.
    for (let i = 0; ; i++) {
      if ([...kprobeProgIds()].some((id) => !before.has(id))) break;
      if (child.exitCode !== null || i > 1200) throw new Error(`bpftrace did not attach: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    return async () => {
      child.kill("SIGINT");
      await once(child, "exit");
    };
  },
};

/** Compiles a BPF program in `section` that returns `verdict` at once; returns the object. */
function noopObject(dir: string, section: string, verdict: number): string {
  const src = join(dir, "noop.c");
  const obj = join(dir, "noop.o");
  writeFileSync(
    src,
    `__attribute__((section("${section}"), used)) int noop(void *ctx) { return ${verdict}; }\n` +
      'char LICENSE[] __attribute__((section("license"), used)) = "GPL";\n',
  );
  execFileSync("clang", ["-O2", "-target", "bpf", "-c", src, "-o", obj]);
  return obj;
}

/**
 * The floor under the tc strategy: a clsact ingress program on lo that returns at once. What
 * any tc-based tracer pays per packet before doing anything.
 */
const tcNoopTracer: Tracer = {
  name: "clsact hook alone (no-op program, reference)",
  confined: true,
  start: async ({ ns }) => {
    const dir = mkdtempSync(join(tmpdir(), "synq-tc-noop-"));
    const obj = noopObject(dir, "tc", -1);
    execFileSync("tc", ["-n", ns, "qdisc", "add", "dev", "lo", "clsact"]);
    execFileSync("tc", [
      "-n",
      ns,
      "filter",
      "add",
      "dev",
      "lo",
      "ingress",
      "bpf",
      "da",
      "obj",
      obj,
      "sec",
      "tc",
    ]);
    return async () => {
      execFileSync("tc", ["-n", ns, "qdisc", "del", "dev", "lo", "clsact"]);
      rmSync(dir, { recursive: true, force: true });
    };
  },
};

/** The floor under the tc strategy on 6.6+: the same no-op program through a tcx link on lo. */
const tcxNoopTracer: Tracer = {
  name: "tcx hook alone (no-op program, reference)",
  confined: true,
  start: async ({ ns }) => {
    const dir = mkdtempSync(join(tmpdir(), "synq-tcx-noop-"));
    const obj = BpfObject.open(noopObject(dir, "tc", -1));
    const netns = NetnsHandle.open(`/run/netns/${ns}`);
    try {
      obj.load();
      const lo = listInterfaces(netns).find((i) => i.name === "lo");
      if (!lo) throw new Error(`no lo in ${ns}`);
      const link = netns.run(() => tcAttach(obj.programFd("noop"), lo, "tcx"));
      return async () => {
        tcDetach(link);
        netns.close();
        obj.close();
        rmSync(dir, { recursive: true, force: true });
      };
    } catch (err) {
      netns.close();
      obj.close();
      throw err;
    }
  },
};

/**
 * The floor under the cgroup strategy: a cgroup_skb ingress program that lets every packet
 * through at once, pinned in a bpffs of its own, on the cgroup of the traced namespace's
 * listeners (synq attaches to the root cgroup: the same program run per packet, everywhere).
 */
const cgroupNoopTracer: Tracer = {
  name: "cgroup hook alone (no-op program, reference)",
  confined: true,
  start: async ({ cgroup }) => {
    if (!cgroup) throw new Error("no cgroup v2 hierarchy is mounted");
    const dir = mkdtempSync(join(tmpdir(), "synq-cgroup-noop-"));
    const obj = noopObject(dir, "cgroup_skb/ingress", 1);
    const fs = join(dir, "bpffs");
    const pin = join(fs, "noop");
    mkdirSync(fs);
    execFileSync("mount", ["-t", "bpf", "bpf", fs]);
    execFileSync("bpftool", ["prog", "load", obj, pin, "type", "cgroup/skb"]);
    execFileSync("bpftool", ["cgroup", "attach", cgroup, "ingress", "pinned", pin, "multi"]);
    return async () => {
      execFileSync("bpftool", ["cgroup", "detach", cgroup, "ingress", "pinned", pin]);
      execFileSync("umount", [fs]);
      rmSync(dir, { recursive: true, force: true });
    };
  },
};

/** No tracer at all: the interleaved method's own noise (both sides untraced). */
const noTracer: Tracer = {
  name: "no tracer (twin against twin: the method's noise)",
  confined: true,
  start: async () => async () => {},
};

/**
 * Starts a confined `tracer` on the target and runs `rounds` interleaved floods against the
 * untraced twin; the ratio is the median of their per-block medians.
 */
async function compareInterleaved(
  measure: () => Interleaved,
  target: Target,
  rounds: number,
  tracer: Tracer,
) {
  const floods = [];
  const stop = await tracer.start(target);
  try {
    for (let r = 0; r < rounds; r++) floods.push(measure());
  } finally {
    await stop();
  }
  return {
    tracer: tracer.name,
    method: "interleaved",
    baselinePerSecond: Math.round(1e9 / median(floods.map((f) => f.nsEachB))),
    tracedPerSecond: Math.round(1e9 / median(floods.map((f) => f.nsEachA))),
    ratio: Number(median(floods.map((f) => f.ratio)).toFixed(4)),
    ratios: floods.map((f) => Number(f.ratio.toFixed(4))),
  };
}

/** Floods (`measure`) with and without `tracer`, `rounds` times; returns rates and the ratio. */
async function compare(measure: () => number, target: Target, rounds: number, tracer: Tracer) {
  const base: number[] = [];
  const traced: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const measureTraced = async () => {
      const stop = await tracer.start(target);
      try {
        return measure();
      } finally {
        await stop();
      }
    };
    // Alternate the order, so a slow drift does not favour either side.
    let b: number;
    let t: number;
    if (r % 2 === 0) {
      b = measure();
      t = await measureTraced();
    } else {
      t = await measureTraced();
      b = measure();
    }
    base.push(b);
    traced.push(t);
    ratios.push(t / b);
  }
  return {
    tracer: tracer.name,
    method: "rounds",
    baselinePerSecond: Math.round(median(base)),
    tracedPerSecond: Math.round(median(traced)),
    ratio: Number(median(ratios).toFixed(4)),
    ratios: ratios.map((x) => Number(x.toFixed(4))),
  };
}

function hasBpftrace(): boolean {
  try {
    execFileSync("sh", ["-c", "command -v bpftrace"], { stdio: "ignore" });
    return process.env.SYNQ_VM_KERNEL !== undefined || strategiesHere().includes("kprobe");
  } catch {
    return false;
  }
}

/** A listener scenario to flood, in its own namespace (and cgroup, for the traced one). */
async function floodTarget(ns: string, cgroup: string | null): Promise<RunningScenario> {
  // SYN-ACKs to the spoofed sources leave through an ifb interface (NOARP), as through a NIC
  // (freed with consume_skb), instead of looping back into lo to be dropped.
  execFileSync("ip", ["-n", ns, "link", "add", "flood0", "type", "ifb"]);
  execFileSync("ip", ["-n", ns, "link", "set", "flood0", "up"]);
  execFileSync("ip", ["-n", ns, "route", "replace", "192.0.2.0/24", "dev", "flood0"]);
  // 8080: room in the accept queue (cookies for all); 8081: accept queue already full.
  return startScenario(
    ns,
    {
      listeners: [
        { address: "0.0.0.0", port: 8080, backlog: 128 },
        { address: "0.0.0.0", port: 8081, backlog: 1 },
      ],
      connect: [{ host: "127.0.0.1", port: 8081, count: 2 }],
    },
    cgroup ? { cgroup } : {},
  );
}

/** Runs the floods for every tracer; returns one result per (flood, tracer). */
export async function tracerOverhead(
  rounds = 11,
  count = 150_000,
  floods: readonly string[] = FLOODS.map((f) => f.name),
  only: readonly string[] = [],
) {
  stayOffFloodCpu();
  const ns = createNetns("synq-bench-trace");
  const twin = createNetns("synq-bench-twin");
  const dir = mkdtempSync(join(tmpdir(), "synq-bench-flood-"));
  const cgroupRoot = cgroup2MountPoint(readFileSync("/proc/self/mountinfo", "utf8"));
  const cgroup = cgroupRoot ? join(cgroupRoot, `synq-bench-${process.pid}`) : null;
  const scenarios: RunningScenario[] = [];
  try {
    const generator = buildFlood(dir);
    if (cgroup) mkdirSync(cgroup);
    scenarios.push(await floodTarget(ns, cgroup), await floodTarget(twin, null));
    const target: Target = { ns, cgroup };
    // Without a cgroup v2 hierarchy there is no cgroup strategy to measure.
    const strategies = strategiesHere().filter((s) => s !== "cgroup" || cgroup);
    const tcx = tcxSupported();
    const tracers = (flood: Flood) =>
      [
        noTracer,
        ...strategies.map((s) => synqTracer(s)),
        ...(strategies.includes("tc") && tcx ? [synqTracer("tc", ["--tc-hook", "clsact"])] : []),
        // Worst case without the records (and their printing): the kernel-side cost alone.
        ...(flood.name === "overflow" ? strategies.map((s) => synqTracer(s, ["--summary"])) : []),
        ...(hasBpftrace() ? [bpftraceTracer] : []),
        ...(strategies.includes("tc") && tcx ? [tcxNoopTracer] : []),
        ...(strategies.includes("tc") ? [tcNoopTracer] : []),
        ...(strategies.includes("cgroup") && cgroup ? [cgroupNoopTracer] : []),
      ].filter((t) => only.length === 0 || only.some((o) => t.name.includes(o)));
    const results = [];
    for (const f of FLOODS) {
      if (!floods.includes(f.name)) continue;
      for (const n of [ns, twin]) setNetnsSysctl(n, "net.ipv4.tcp_syncookies", f.syncookies);
      const n = f.count(count);
      const measure = () => bestOfThree(generator, f, ns, n);
      const interleave = () => interleavedFlood(generator, f, target, twin, n);
      // The first floods into a fresh namespace run slower (caches and slabs warming up).
      interleave();
      for (const tracer of tracers(f)) {
        const r = {
          flood: f.name,
          unit: f.mode === "syn" ? "SYN/s" : "conn/s",
          ...(tracer.confined
            ? await compareInterleaved(interleave, target, rounds, tracer)
            : await compare(measure, target, rounds, tracer)),
        };
        console.log(JSON.stringify(r));
        results.push(r);
      }
    }
    return {
      kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
      budget: 0.97,
      rounds,
      synsPerFlood: count,
      results,
    };
  } finally {
    for (const s of scenarios) await s.stop();
    deleteNetns(ns);
    deleteNetns(twin);
    if (cgroup) rmdirSync(cgroup);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string" },
      count: { type: "string" },
      flood: { type: "string", multiple: true },
      tracer: { type: "string", multiple: true },
    },
  });
  const report = await tracerOverhead(
    Number(values.rounds ?? 11),
    Number(values.count ?? 150_000),
    values.flood ?? FLOODS.map((f) => f.name),
    values.tracer ?? [],
  );
  console.log(JSON.stringify(report, null, 2));
  for (const r of report.results) {
    const judged = r.flood !== "overflow" && r.tracer.startsWith("synq");
    const verdict = !judged ? "" : r.ratio >= report.budget ? "ok" : "OVER BUDGET";
    console.log(
      `${r.flood.padEnd(9)} ${r.tracer.padEnd(50)} ${r.method.padEnd(11)} ${String(r.baselinePerSecond).padStart(8)} → ${String(r.tracedPerSecond).padStart(8)} ${r.unit.padEnd(6)} ratio ${r.ratio.toFixed(3)}  ${verdict}`,
    );
  }
}

/**
 * What `synq trace-drops` costs the kernel: the rate of a SYN flood with the tracer attached
 * divided by the rate without it, measured in the same run (budget ≥ 0.97), for every
 * strategy this kernel supports, and for bpftrace running an acceptq.stp equivalent where
 * bpftrace and kprobes exist (the qemu harness's kernels).
 *
 * Two floods, from spoofed sources into a private namespace (bench/syn-flood.ts; the SYN-ACKs
 * leave through an ifb interface, as through a NIC):
 *   cookie   tcp_syncookies=2: every SYN is answered with a cookie, nothing is dropped, so
 *            the tracer classifies every SYN and reports none (the everyday cost);
 *   overflow every SYN hits a full accept queue: every SYN is a drop the tracer counts and
 *            delivers (the worst case). synq prints to /dev/null, bpftrace likewise.
 * Rounds alternate baseline and traced floods; the figure is the median of the per-round
 * ratios, so drift of the machine (other VMs, frequency) cancels out.
 * Usage (root): npx tsx bench/tracer-overhead.ts [--rounds N] [--count SYNS]
 *   [--flood cookie|overflow …] [--tracer fentry|kprobe|cgroup|tc|bpftrace|no-op …]
 * "tc hook alone" is a reference: a no-op clsact program, the floor of any tc-based tracer.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { strategiesHere } from "../test/helpers/bpf-state.js";
import {
  createNetns,
  deleteNetns,
  type RunningScenario,
  setNetnsSysctl,
  startScenario,
} from "../test/helpers/netns.js";
import { startTrace } from "../test/helpers/trace-run.js";

const FLOOD = fileURLToPath(new URL("./syn-flood.ts", import.meta.url));

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

interface Tracer {
  name: string;
  start: (ns: string) => Promise<() => Promise<void>>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
}

/** The last CPU: the flood generator is pinned there, away from synq's consumer. */
const FLOOD_CPU = String(availableParallelism() - 1);

/** One flood, timed inside the generator: SYNs per second. */
function flood(ns: string, dport: number, count: number): number {
  const spec = JSON.stringify({ dst: "127.0.0.1", dport, count });
  const out = execFileSync(
    "ip",
    [
      "netns",
      "exec",
      ns,
      "taskset",
      "-c",
      FLOOD_CPU,
      process.execPath,
      "--import",
      "tsx",
      FLOOD,
      spec,
    ],
    { encoding: "utf8" },
  );
  return (JSON.parse(out) as { perSecond: number }).perSecond;
}

function synqTracer(strategy: string, extra: string[] = []): Tracer {
  return {
    name: ["synq --strategy", strategy, ...extra].join(" "),
    start: async (ns) => {
      const t = await startTrace(["--netns", ns, "--strategy", strategy, ...extra], {
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

/**
 * The floor under the tc strategy: a clsact ingress program on lo that returns at once. What
 * any tc-based tracer pays per packet before doing anything.
 */
const tcNoopTracer: Tracer = {
  name: "tc hook alone (no-op program, reference)",
  start: async (ns) => {
    const dir = mkdtempSync(join(tmpdir(), "synq-tc-noop-"));
    const src = join(dir, "noop.c");
    const obj = join(dir, "noop.o");
    writeFileSync(
      src,
      '__attribute__((section("tc"), used)) int noop(void *skb) { return -1; }\n' +
        'char LICENSE[] __attribute__((section("license"), used)) = "GPL";\n',
    );
    execFileSync("clang", ["-O2", "-target", "bpf", "-c", src, "-o", obj]);
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

/** Floods `dport` with and without `tracer`, `rounds` times; returns rates and the ratio. */
async function compare(ns: string, dport: number, count: number, rounds: number, tracer: Tracer) {
  const base: number[] = [];
  const traced: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const measureTraced = async () => {
      const stop = await tracer.start(ns);
      try {
        return flood(ns, dport, count);
      } finally {
        await stop();
      }
    };
    // Alternate the order, so a slow drift does not favour either side.
    let b: number;
    let t: number;
    if (r % 2 === 0) {
      b = flood(ns, dport, count);
      t = await measureTraced();
    } else {
      t = await measureTraced();
      b = flood(ns, dport, count);
    }
    base.push(b);
    traced.push(t);
    ratios.push(t / b);
  }
  return {
    tracer: tracer.name,
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

/** Runs both floods for every tracer; returns one result per (flood, tracer). */
export async function tracerOverhead(
  rounds = 7,
  count = 100_000,
  floods: readonly string[] = ["cookie", "overflow"],
  only: readonly string[] = [],
) {
  const ns = createNetns("synq-bench-trace");
  let scenario: RunningScenario | undefined;
  try {
    setNetnsSysctl(ns, "net.ipv4.tcp_syncookies", 2);
    // SYN-ACKs to the spoofed sources leave through an ifb interface (NOARP), as through a NIC
    // (freed with consume_skb), instead of looping back into lo to be dropped.
    execFileSync("ip", ["-n", ns, "link", "add", "flood0", "type", "ifb"]);
    execFileSync("ip", ["-n", ns, "link", "set", "flood0", "up"]);
    execFileSync("ip", ["-n", ns, "route", "replace", "192.0.2.0/24", "dev", "flood0"]);
    // 8080: room in the accept queue (cookies for all); 8081: accept queue already full.
    scenario = await startScenario(ns, {
      listeners: [
        { address: "0.0.0.0", port: 8080, backlog: 128 },
        { address: "0.0.0.0", port: 8081, backlog: 1 },
      ],
      connect: [{ host: "127.0.0.1", port: 8081, count: 2 }],
    });
    const strategies = strategiesHere();
    const tracers = (flood: string) =>
      [
        ...strategies.map((s) => synqTracer(s)),
        // Worst case without the records (and their printing): the kernel-side cost alone.
        ...(flood === "overflow" ? strategies.map((s) => synqTracer(s, ["--summary"])) : []),
        ...(hasBpftrace() ? [bpftraceTracer] : []),
        ...(strategies.includes("tc") ? [tcNoopTracer] : []),
      ].filter((t) => only.length === 0 || only.some((o) => t.name.includes(o)));
    const results = [];
    for (const [name, dport] of [
      ["cookie", 8080],
      ["overflow", 8081],
    ] as const) {
      if (!floods.includes(name)) continue;
      for (const tracer of tracers(name)) {
        const r = { flood: name, ...(await compare(ns, dport, count, rounds, tracer)) };
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
    await scenario?.stop();
    deleteNetns(ns);
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
    Number(values.rounds ?? 7),
    Number(values.count ?? 100_000),
    values.flood ?? ["cookie", "overflow"],
    values.tracer ?? [],
  );
  console.log(JSON.stringify(report, null, 2));
  for (const r of report.results) {
    const verdict =
      r.flood === "cookie" ? (r.ratio >= report.budget ? "ok" : "OVER BUDGET") : "worst case";
    console.log(
      `${r.flood.padEnd(9)} ${r.tracer.padEnd(46)} ${String(r.baselinePerSecond).padStart(8)} → ${String(r.tracedPerSecond).padStart(8)} SYN/s  ratio ${r.ratio.toFixed(3)}  ${verdict}`,
    );
  }
}

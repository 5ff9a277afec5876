/**
 * What BPF and tc state exists right now, seen with the system's own tools (bpftool, tc),
 * not with synq's code: the clean-exit tests compare it before and after synq runs.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** synq's tracer objects are all named acceptq… (programs, maps, the rodata map). */
const OURS = /acceptq/;

interface BpftoolProg {
  id: number;
  name?: string;
  map_ids?: number[];
}

function bpftoolJson<T>(args: string[]): T[] {
  const out = execFileSync("bpftool", ["-j", ...args], { encoding: "utf8" });
  return out.trim() === "" ? [] : (JSON.parse(out) as T[]);
}

/** The tracer's programs in the kernel now. */
function tracerPrograms(): BpftoolProg[] {
  return bpftoolJson<BpftoolProg>(["prog", "list"]).filter((p) => OURS.test(p.name ?? ""));
}

/** The tracer's programs, maps and links still in the kernel, as "kind id name" strings. */
export function tracerLeftovers(): string[] {
  const progs = tracerPrograms();
  const progIds = new Set(progs.map((p) => p.id));
  const maps = bpftoolJson<{ id: number; name?: string }>(["map", "list"]).filter((m) =>
    OURS.test(m.name ?? ""),
  );
  const links = bpftoolJson<{ id: number; prog_id: number; type: string }>(["link", "list"]).filter(
    (l) => progIds.has(l.prog_id),
  );
  return [
    ...progs.map((p) => `prog ${p.id} ${p.name}`),
    ...maps.map((m) => `map ${m.id} ${m.name}`),
    ...links.map((l) => `link ${l.id} ${l.type} prog ${l.prog_id}`),
  ];
}

/**
 * Waits until no tracer program, map or link is left (the kernel frees them a moment after
 * their last file descriptor closes) and returns what remained at the deadline.
 */
export async function waitForNoLeftovers(timeoutMs = 3000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = tracerLeftovers();
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(100);
  }
}

/** `tc qdisc show dev DEV` in a namespace, one qdisc kind per entry (e.g. "noqueue", "clsact"). */
export function qdiscKinds(ns: string, dev: string): string[] {
  const out = execFileSync("tc", ["-n", ns, "-j", "qdisc", "show", "dev", dev], {
    encoding: "utf8",
  });
  return (JSON.parse(out || "[]") as { kind: string }[]).map((q) => q.kind);
}

/** `tc filter show dev DEV ingress` in a namespace: each filter's kind and name. */
export function ingressFilters(ns: string, dev: string): string[] {
  const out = execFileSync("tc", ["-n", ns, "filter", "show", "dev", dev, "ingress"], {
    encoding: "utf8",
  });
  return out
    .split("\n")
    .filter((l) => /^filter /.test(l))
    .map((l) => l.trim());
}

/** Whether the kernel can create kprobes (the kprobe PMU or tracefs kprobe_events). */
export function kprobesSupported(): boolean {
  return (
    existsSync("/sys/bus/event_source/devices/kprobe/type") ||
    existsSync("/sys/kernel/tracing/kprobe_events")
  );
}

const FENTRY_PROBE = `#define SEC(n) __attribute__((section(n), used))
SEC("fentry/tcp_conn_request") int probe(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
`;

/**
 * Whether the kernel lets a BPF trampoline (fentry) load on tcp_conn_request: built with
 * clang and loaded with bpftool, independently of synq's own probing.
 */
export function fentrySupported(): boolean {
  const dir = mkdtempSync(join(tmpdir(), "synq-fentry-"));
  const pin = `/sys/fs/bpf/synq-fentry-probe-${process.pid}`;
  try {
    writeFileSync(join(dir, "p.c"), FENTRY_PROBE);
    execFileSync("clang", [
      "-O2",
      "-target",
      "bpf",
      "-c",
      join(dir, "p.c"),
      "-o",
      join(dir, "p.o"),
    ]);
    try {
      execFileSync("bpftool", ["prog", "load", join(dir, "p.o"), pin], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  } finally {
    rmSync(pin, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the kernel has the tcx hook: BPF_TCX_INGRESS in its BTF (bpftool's dump). */
export function tcxSupported(): boolean {
  const dump = execFileSync("bpftool", ["btf", "dump", "file", "/sys/kernel/btf/vmlinux"], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  return dump.includes("'BPF_TCX_INGRESS' val=");
}

/**
 * synq's tcx links now, as "link N" strings (bpftool names the link type "tcx", or gives its
 * number, 11, where it predates tcx).
 */
export function tracerTcxLinks(): string[] {
  const ours = new Set(tracerPrograms().map((p) => p.id));
  return bpftoolJson<{ id: number; prog_id: number; type: string | number }>(["link", "list"])
    .filter((l) => ours.has(l.prog_id) && (l.type === "tcx" || l.type === 11))
    .map((l) => `link ${l.id}`);
}

/** Whether a cgroup v2 hierarchy is mounted (its root), for the cgroup strategy. */
export function cgroup2Mounted(): boolean {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((l) => / - cgroup2 /.test(l) && l.split(" ")[3] === "/");
}

/**
 * The tracer strategies this kernel supports, decided with the system's tools and files,
 * independently of synq's own probing: tc always (5.9+), cgroup with cgroup v2 mounted,
 * kprobe and fentry where the kernel allows them.
 */
export function strategiesHere(): ("fentry" | "kprobe" | "cgroup" | "tc")[] {
  return [
    ...(fentrySupported() ? (["fentry"] as const) : []),
    ...(kprobesSupported() ? (["kprobe"] as const) : []),
    ...(cgroup2Mounted() ? (["cgroup"] as const) : []),
    "tc",
  ];
}

/**
 * The strategies the trace-drops end-to-end tests run. On this host: all it supports. Inside
 * the kernel-matrix VMs (SYNQ_VM_KERNEL set): kprobe and fentry, which the host kernel cannot
 * run, and which every kernel of the matrix must support (a missing one fails the run rather
 * than shrinking it); tc and cgroup are kernel-independent and stay on the host's run.
 */
export function strategiesUnderTest(): ("fentry" | "kprobe" | "cgroup" | "tc")[] {
  const vmKernel = process.env.SYNQ_VM_KERNEL;
  if (vmKernel === undefined) return strategiesHere();
  if (!fentrySupported()) throw new Error(`fentry programs do not load on ${vmKernel}`);
  if (!kprobesSupported()) throw new Error(`kprobes are not available on ${vmKernel}`);
  return ["fentry", "kprobe"];
}

/** BPF programs, maps and links, by kind and id: those one process holds. */
export interface HeldBpf {
  progs: number[];
  maps: number[];
  links: number[];
}

/**
 * The BPF objects process `pid` holds file descriptors for (its /proc fdinfo): what must be
 * gone once it has exited, whatever else other processes load meanwhile.
 */
export function bpfHeldBy(pid: number): HeldBpf {
  const held: HeldBpf = { progs: [], maps: [], links: [] };
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
    } catch {
      continue;
    }
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(info)?.[1]);
    if (/^link_id:/m.test(info)) held.links.push(field("link_id"));
    else if (/^prog_id:/m.test(info) && /^prog_type:/m.test(info))
      held.progs.push(field("prog_id"));
    else if (/^map_id:/m.test(info)) held.maps.push(field("map_id"));
  }
  return held;
}

/** Which of `held` the kernel still has, as "kind id" strings (bpftool … show id N). */
export function stillLoaded(held: HeldBpf): string[] {
  const exists = (kind: string, id: number) => {
    try {
      execFileSync("bpftool", [kind, "show", "id", String(id)], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  return [
    ...held.progs.filter((id) => exists("prog", id)).map((id) => `prog ${id}`),
    ...held.maps.filter((id) => exists("map", id)).map((id) => `map ${id}`),
    ...held.links.filter((id) => exists("link", id)).map((id) => `link ${id}`),
  ];
}

/** Waits until none of `held` is left (freed a moment after the last fd closes). */
export async function waitUntilReleased(held: HeldBpf, timeoutMs = 3000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = stillLoaded(held);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(100);
  }
}

/**
 * The entries of the tracer's per-listener drop counter map (`acceptq_listeners`, which the
 * kernel names by its first 15 characters) among the maps `held`, read with bpftool.
 */
export function listenerMapEntries(held: HeldBpf): number {
  for (const id of held.maps) {
    const out = execFileSync("bpftool", ["-j", "map", "show", "id", String(id)], {
      encoding: "utf8",
    });
    if ((JSON.parse(out) as { name?: string }).name === "acceptq_listene") {
      return bpftoolJson<unknown>(["map", "dump", "id", String(id)]).length;
    }
  }
  throw new Error(`none of maps ${held.maps.join(", ")} is acceptq_listeners`);
}

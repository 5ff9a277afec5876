/**
 * Reads what the running kernel offers the tracer (see strategy.ts for how it is used):
 * BTF records, kprobe support, kallsyms, drop reasons. Also the up-front refusals with a fix:
 * no privileges, no BTF.
 */
import { existsSync, readFileSync } from "node:fs";
import { SynqError } from "../errors.js";
import { Btf } from "../ffi/btf.js";
import { synQueueRule } from "../kernel/syn-queue-limit.js";
import {
  runningKernelRelease,
  runningKernelVersionText,
  upstreamKernelVersion,
} from "../kernel/version.js";
import { CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON, CAP_SYS_ADMIN } from "../system/capabilities.js";
import { HOOKED_FUNCTIONS, type HookedFunction, type KernelFeatures } from "./strategy.js";

/** Where the kernel publishes its BTF. */
export const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";

export { effectiveCapabilities } from "../system/capabilities.js";

/**
 * Refuses, with the fix, when the process cannot load tracing BPF programs: it needs
 * CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN, which covers both before 5.8), and the tc
 * strategy CAP_NET_ADMIN too.
 */
export function assertPrivileges(caps: bigint, euid: number, needNetAdmin: boolean): void {
  const has = (bit: number) => (caps & (1n << BigInt(bit))) !== 0n;
  const bpf = has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
  const missing = [
    ...(bpf ? [] : ["CAP_BPF", "CAP_PERFMON"]),
    ...(needNetAdmin && !has(CAP_NET_ADMIN) ? ["CAP_NET_ADMIN"] : []),
  ];
  if (missing.length === 0) return;
  if (euid !== 0) {
    throw new SynqError(
      "permission",
      "trace-drops loads BPF programs, which needs root (CAP_BPF and CAP_PERFMON, and CAP_NET_ADMIN for tc)",
      "rerun with sudo",
    );
  }
  throw new SynqError(
    "permission",
    `trace-drops runs as root but without ${missing.join(" and ")}`,
    "run it where root keeps its capabilities (on the host, or a container started with --cap-add BPF --cap-add PERFMON --cap-add NET_ADMIN)",
  );
}

/** Refuses, with the fix, when the kernel has no BTF: CO-RE cannot relocate anything. */
export function assertBtf(path = VMLINUX_BTF): void {
  if (existsSync(path)) return;
  throw new SynqError(
    "kernelUnsupported",
    `this kernel has no BTF (${path} is missing), which synq's CO-RE tracer needs`,
    "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian 11+, Ubuntu 20.10+, RHEL 8.2+, Fedora 31+ ship one)",
  );
}

/** Whether kprobes can be created: the kprobe PMU or tracefs kprobe_events. */
export function kprobesAvailable(): boolean {
  return [
    "/sys/bus/event_source/devices/kprobe/type",
    "/sys/kernel/tracing/kprobe_events",
    "/sys/kernel/debug/tracing/kprobe_events",
  ].some((p) => existsSync(p));
}

/** Which of `names` are text symbols in /proc/kallsyms (`t` or `T`, module suffixes allowed). */
export function kallsymsTextSymbols(
  kallsyms: string,
  names: readonly string[],
): Record<string, boolean> {
  const found: Record<string, boolean> = Object.fromEntries(names.map((n) => [n, false]));
  const wanted = new Set(names);
  for (const line of kallsyms.split("\n")) {
    const [, type, name] = line.split(/\s+/);
    if ((type === "t" || type === "T") && name !== undefined && wanted.has(name)) {
      found[name] = true;
    }
  }
  return found;
}

/** The mount point of the cgroup v2 hierarchy in /proc/self/mountinfo text, or null. */
export function cgroup2MountPoint(mountinfo: string): string | null {
  for (const line of mountinfo.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const [fstype] = line.slice(sep + 3).split(" ");
    const fields = line.slice(0, sep).split(" ");
    // Field 4 is the root within the hierarchy: only a mount of its root covers every socket.
    if (fstype === "cgroup2" && fields[3] === "/" && fields[4] !== undefined) {
      return fields[4].replace(/\\040/g, " ");
    }
  }
  return null;
}

/** Reads everything strategy.ts decides on. Needs the BTF check done first. */
export function readKernelFeatures(): KernelFeatures {
  const release = runningKernelRelease();
  let signature: string | null = null;
  try {
    signature = readFileSync("/proc/version_signature", "utf8");
  } catch {
    /* not Ubuntu */
  }
  const version = upstreamKernelVersion(release, runningKernelVersionText(), signature);
  const btf = Btf.vmlinux();
  if (!btf) {
    throw new SynqError(
      "kernelUnsupported",
      `libbpf cannot read this kernel's BTF (${VMLINUX_BTF})`,
      "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y",
    );
  }
  try {
    const btfFunctions = Object.fromEntries(
      HOOKED_FUNCTIONS.map((fn) => [fn, btf.hasFunc(fn)]),
    ) as Record<HookedFunction, boolean>;
    const recvSockParams = {
      v4: btf.funcParamCount("tcp_v4_syn_recv_sock"),
      v6: btf.funcParamCount("tcp_v6_syn_recv_sock"),
    };
    const kprobes = kprobesAvailable();
    let kallsyms: Record<HookedFunction, boolean> | null = null;
    if (kprobes) {
      try {
        kallsyms = kallsymsTextSymbols(
          readFileSync("/proc/kallsyms", "utf8"),
          HOOKED_FUNCTIONS,
        ) as Record<HookedFunction, boolean>;
      } catch {
        kallsyms = null;
      }
    }
    const helpers = ["skc_lookup_tcp", "skc_to_tcp_sock", "skc_to_tcp_request_sock"];
    const tcHelpers = helpers.every((h) => btf.enumValue("bpf_func_id", `BPF_FUNC_${h}`) !== null);
    const tcx = btf.enumValue("bpf_attach_type", "BPF_TCX_INGRESS") !== null;
    const reason = btf.enumValue("skb_drop_reason", "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW");
    const kfreeArgs = btf.tracepointArgCount("kfree_skb");
    let cgroup2Root: string | null = null;
    try {
      cgroup2Root = cgroup2MountPoint(readFileSync("/proc/self/mountinfo", "utf8"));
    } catch {
      cgroup2Root = null;
    }
    return {
      release,
      btfFunctions,
      recvSockParams,
      kprobes,
      kallsyms,
      tcHelpers,
      tcx,
      cgroup2Root,
      listenOverflowReason: reason !== null && kfreeArgs !== null && kfreeArgs >= 4 ? reason : null,
      synQueueRule: version ? synQueueRule(version) : "backlog-plus-one",
    };
  } finally {
    btf.close();
  }
}

/**
 * The tracer's attach strategies, which BPF programs each one loads, and what the running
 * kernel must offer for it: the pure decisions, given facts read by kernel-features.ts.
 */
import type { SynQueueRule } from "../kernel/syn-queue-limit.js";
import type { Strategy, TcHook, TcHookChoice } from "../model/trace-enums.js";

/** Kernel functions the fentry and kprobe strategies hook. */
export const HOOKED_FUNCTIONS = [
  "tcp_conn_request",
  "tcp_v4_syn_recv_sock",
  "tcp_v6_syn_recv_sock",
] as const;

/** A hooked kernel function. */
export type HookedFunction = (typeof HOOKED_FUNCTIONS)[number];

/** What synq learned about the running kernel before loading anything. */
export interface KernelFeatures {
  release: string;
  /** BTF FUNC records: fentry/fexit targets. */
  btfFunctions: Record<HookedFunction, boolean>;
  /**
   * Parameter counts of tcp_v4/v6_syn_recv_sock in BTF (null: not there): fexit reads the
   * return value after the last parameter, and some kernels added a seventh.
   */
  recvSockParams: { v4: number | null; v6: number | null };
  /** The kprobe PMU or tracefs kprobe_events exist (CONFIG_KPROBES). */
  kprobes: boolean;
  /** Text symbols in /proc/kallsyms: kprobe targets (null when not read). */
  kallsyms: Record<HookedFunction, boolean> | null;
  /** bpf_skc_lookup_tcp, bpf_skc_to_tcp_sock and bpf_skc_to_tcp_request_sock (5.9+). */
  tcHelpers: boolean;
  /** The tcx ingress hook (BPF_TCX_INGRESS, 6.6+): tc programs attach as links, no qdisc. */
  tcx: boolean;
  /** Where the cgroup v2 hierarchy is mounted (its root), or null. */
  cgroup2Root: string | null;
  /**
   * SKB_DROP_REASON_TCP_LISTEN_OVERFLOW (6.15+) when skb:kfree_skb also passes the receiving
   * socket (rx_sk, 6.11+): the exact ACK-time signal. Null otherwise.
   */
  listenOverflowReason: number | null;
  /** The running kernel's inet_csk_reqsk_queue_is_full() rule. */
  synQueueRule: SynQueueRule;
}

/** Where the user asked the cgroup and tc strategies to attach. */
export interface AttachChoices {
  tcHook?: TcHookChoice;
  /** cgroup: the cgroup v2 directory to attach to (--cgroup); null/absent: the root. */
  cgroup?: string | null;
}

/** The hook the tc strategy uses for `choice` on this kernel. */
export function tcHookFor(choice: TcHookChoice, f: KernelFeatures): TcHook {
  if (choice !== "auto") return choice;
  return f.tcx ? "tcx" : "clsact";
}

/** Parameter counts of syn_recv_sock() that bpf/acceptq.bpf.c has an fexit program for. */
export const RECV_SOCK_PARAMS = [6, 7] as const;

/** The fexit program that finds syn_recv_sock()'s return value after `params` parameters. */
function fexitProgram(family: "v4" | "v6", params: number | null): string {
  return params === 7 ? `acceptq_fexit7_${family}_recv_sock` : `acceptq_fexit_${family}_recv_sock`;
}

/** The BPF programs (names in bpf/acceptq.bpf.c) a strategy loads and attaches. */
export function strategyPrograms(strategy: Strategy, f: KernelFeatures): string[] {
  const v6 = (names: string[]) =>
    f.btfFunctions.tcp_v6_syn_recv_sock || (f.kallsyms?.tcp_v6_syn_recv_sock ?? false) ? names : [];
  switch (strategy) {
    case "fentry":
      return [
        "acceptq_fentry_conn_request",
        "acceptq_fentry_v4_recv_sock",
        fexitProgram("v4", f.recvSockParams.v4),
        ...v6(["acceptq_fentry_v6_recv_sock", fexitProgram("v6", f.recvSockParams.v6)]),
      ];
    case "kprobe":
      return [
        "acceptq_kprobe_conn_request",
        "acceptq_kprobe_v4_recv_sock",
        "acceptq_kretprobe_v4_recv_sock",
        ...v6(["acceptq_kprobe_v6_recv_sock", "acceptq_kretprobe_v6_recv_sock"]),
      ];
    case "cgroup":
      return [
        "acceptq_cgroup_ingress",
        ...(f.listenOverflowReason !== null ? ["acceptq_kfree_skb"] : []),
      ];
    case "tc":
      return [
        "acceptq_tc_ingress",
        ...(f.listenOverflowReason !== null ? ["acceptq_kfree_skb"] : []),
      ];
  }
}

/** Why a strategy cannot work on this kernel before trying it, or null when it may. */
export function strategyPrecheck(
  strategy: Strategy,
  f: KernelFeatures,
  { tcHook = "auto" }: AttachChoices = {},
): string | null {
  switch (strategy) {
    case "fentry": {
      const missing = ["tcp_conn_request", "tcp_v4_syn_recv_sock"].filter(
        (fn) => !f.btfFunctions[fn as HookedFunction],
      );
      if (missing.length) {
        return `the kernel's BTF has no ${missing.join(" or ")} to attach fentry/fexit to`;
      }
      const odd = (["v4", "v6"] as const).filter((family) => {
        const n = f.recvSockParams[family];
        return n !== null && !(RECV_SOCK_PARAMS as readonly number[]).includes(n);
      });
      return odd.length
        ? `tcp_${odd[0]}_syn_recv_sock takes ${f.recvSockParams[odd[0] as "v4" | "v6"]} parameters here; synq's fexit programs know ${RECV_SOCK_PARAMS.join(" or ")}`
        : null;
    }
    case "kprobe": {
      if (!f.kprobes) return "the kernel has no kprobes (CONFIG_KPROBES is off)";
      const missing = ["tcp_conn_request", "tcp_v4_syn_recv_sock"].filter(
        (fn) => f.kallsyms !== null && !f.kallsyms[fn as HookedFunction],
      );
      return missing.length
        ? `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not in /proc/kallsyms (inlined or renamed in this kernel)`
        : null;
    }
    case "cgroup":
      if (f.cgroup2Root === null) return "no cgroup v2 hierarchy is mounted";
      return f.tcHelpers
        ? null
        : "the kernel lacks bpf_skc_lookup_tcp/bpf_skc_to_tcp_sock/bpf_skc_to_tcp_request_sock (Linux 5.9+)";
    case "tc":
      if (!f.tcHelpers)
        return "the kernel lacks bpf_skc_lookup_tcp/bpf_skc_to_tcp_sock/bpf_skc_to_tcp_request_sock (Linux 5.9+)";
      return tcHook === "tcx" && !f.tcx
        ? "the kernel has no tcx hook (Linux 6.6+); --tc-hook clsact works here"
        : null;
  }
}

/** One line on how a strategy sees drops, for --verbose. */
export function describeStrategy(
  strategy: Strategy,
  f: KernelFeatures,
  { tcHook = "auto", cgroup = null }: AttachChoices = {},
): string {
  const where = cgroup
    ? `inet ingress of the cgroup ${cgroup} and its descendants`
    : `inet ingress of the root cgroup (${f.cgroup2Root})`;
  switch (strategy) {
    case "fentry":
      return "fentry/tcp_conn_request (SYN) and fentry+fexit on tcp_v4/v6_syn_recv_sock (final ACK): exact";
    case "kprobe":
      return "kprobe/tcp_conn_request (SYN) and kprobe+kretprobe on tcp_v4/v6_syn_recv_sock (final ACK): exact";
    case "cgroup":
      return f.listenOverflowReason !== null
        ? `${where} predicts SYN-time drops from the listener the kernel chose; final-ACK drops come exactly from skb:kfree_skb reason TCP_LISTEN_OVERFLOW`
        : `${where} predicts SYN-time and final-ACK drops from the listener the kernel chose`;
    case "tc": {
      const hook = tcHookFor(tcHook, f);
      return f.listenOverflowReason !== null
        ? `${hook} ingress predicts SYN-time drops from the listener's queues; final-ACK drops come exactly from skb:kfree_skb reason TCP_LISTEN_OVERFLOW`
        : `${hook} ingress predicts SYN-time and final-ACK drops from the listener's queues`;
    }
  }
}

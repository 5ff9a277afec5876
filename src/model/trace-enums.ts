/**
 * The names the tracer's contract uses (src/model/trace.ts): drop reasons, the hooks that see
 * them, attach strategies and tc hooks. The BPF side numbers reasons and hooks in this order
 * (ACCEPTQ_REASON_*, ACCEPTQ_HOOK_* in bpf/acceptq.h), and the tracer imports them from here.
 */

/** ACCEPTQ_REASON_* by value (1-based), as synq names them. */
export const REASONS = [
  "accept-queue-full",
  "accept-queue-full-ack",
  "syn-queue-full",
  "cookie-sent",
] as const;

/** A reason a SYN or ACK is reported. */
export type Reason = (typeof REASONS)[number];

/** ACCEPTQ_HOOK_* by value (1-based). */
export const HOOKS = ["tcp_conn_request", "syn_recv_sock", "tc", "kfree_skb", "cgroup"] as const;

/** Which hook saw a drop. */
export type Hook = (typeof HOOKS)[number];

/**
 * Attach strategies, best first: what `--strategy auto` tries, in this order. fentry and
 * kprobe see the kernel's decision itself; cgroup predicts it from the listener the kernel
 * picked, a moment before; tc predicts it from the packet, before netfilter and TPROXY.
 */
export const STRATEGIES = ["fentry", "kprobe", "cgroup", "tc"] as const;

/** One attach strategy. */
export type Strategy = (typeof STRATEGIES)[number];

/** The two ingress hooks a tc program can use: a tcx link (6.6+) or a clsact qdisc filter. */
export const TC_HOOKS = ["tcx", "clsact"] as const;

/** One tc ingress hook. */
export type TcHook = (typeof TC_HOOKS)[number];

/** --tc-hook: a tc ingress hook, or auto (tcx where the kernel has it, else clsact). */
export type TcHookChoice = TcHook | "auto";

import { Flags } from "@oclif/core";
import { SynqCommand } from "../base-command.js";
import type { TraceSummary } from "../model/trace.js";
import { attachFlags, parseTraceFlags } from "../trace/flags.js";

/** `synq trace-drops`: the eBPF accept-queue overflow tracer (acceptq.stp, done right). */
export default class TraceDrops extends SynqCommand {
  static override summary =
    "Trace every SYN and final ACK dropped because a listener's accept or SYN queue was full.";
  static override description = [
    "Loads an eBPF program (CO-RE, through libbpf) and prints one line per drop: time (µs), accept queue length and limit, SYN queue length, the listener, the packet's destination (they differ under TPROXY), the remote peer, the network namespace and the process owning the listener. On exit it prints exact totals per listener and per remote /24 (/64 for IPv6), from BPF counters that never lose a drop.",
    "Strategies: fentry (exact, cheapest), kprobe (exact), cgroup (predicts from the listener the kernel chose, in tcp_filter(): sees TPROXY), tc (predicts from ingress packets, before netfilter). cgroup and tc take final-ACK drops exactly from skb:kfree_skb on 6.15+. --strategy auto picks the best that loads; --verbose says why others were rejected. Needs root.",
  ].join("\n\n");
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --port 443 --duration 60",
    "<%= config.bin %> <%= command.id %> --netns web --json | jq .",
    "<%= config.bin %> <%= command.id %> --strategy tc --interface eth0 --verbose",
    "<%= config.bin %> <%= command.id %> --cgroup system.slice/nginx.service",
    "<%= config.bin %> <%= command.id %> --cookies --reason syn-queue-full --summary",
  ];
  static override flags = {
    json: Flags.boolean({
      summary:
        "JSON lines: a start record, one per drop, a summary (schema in src/model/trace.ts).",
    }),
    port: Flags.string({ summary: "Only listeners on this local port." }),
    netns: Flags.string({
      summary: "Only this network namespace: a /run/netns name or a path like /proc/PID/ns/net.",
    }),
    reason: Flags.string({
      summary: "Only these reasons (repeatable).",
      options: ["accept-queue-full", "accept-queue-full-ack", "syn-queue-full", "cookie-sent"],
      multiple: true,
    }),
    cookies: Flags.boolean({ summary: "Also report SYNs answered with a SYN cookie." }),
    duration: Flags.string({ summary: "Stop after S seconds (default: until Ctrl-C)." }),
    summary: Flags.boolean({ summary: "Print only the summary on exit, no line per drop." }),
    strategy: attachFlags.strategy,
    interface: Flags.string({
      summary: "tc: attach to this interface (repeatable; default: every interface that is up).",
      multiple: true,
    }),
    cgroup: attachFlags.cgroup,
    "tc-hook": attachFlags["tc-hook"],
    verbose: Flags.boolean({ summary: "Say which strategy is used and why others were not." }),
    "ring-buffer-kb": Flags.string({
      summary:
        "Ring buffer for drop records, KiB (power of two). Full: records lost, counts exact.",
      default: "1024",
    }),
    "max-events-per-sec": Flags.string({
      summary: "Print at most N drops per second (counting stays exact); 0 = no limit.",
      default: "0",
    }),
  };

  async run(): Promise<TraceSummary> {
    const { flags } = await this.parse(TraceDrops);
    const request = parseTraceFlags(flags);
    // Loaded on demand: `synq --help` and other commands do not pay for libbpf and koffi.
    const { traceDrops } = await import("../trace/trace-service.js");
    return traceDrops(request);
  }
}

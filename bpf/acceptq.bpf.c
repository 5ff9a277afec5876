// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * synq's accept-queue overflow tracer (synq trace-drops): acceptq.stp done with CO-RE.
 *
 * One object, bpf/acceptq.bpf.o, with three mechanisms and four attach strategies; user
 * space (src/trace/loader.ts) turns autoload on for one strategy's programs only, sets the
 * rodata, loads, then attaches.
 *
 *   exact hooks (acceptq-exact.bpf.h): the kernel's own decision, seen where it is made
 *     fentry  fentry/tcp_conn_request                     SYN: classify at entry
 *             fentry+fexit/tcp_v4_syn_recv_sock (and v6)  ACK: queue full at entry, NULL return
 *     kprobe  the same hooks as kprobe/kretprobe twins of the fentry/fexit programs
 *   packet predictors (acceptq-predict.bpf.h): what the kernel will decide for a packet
 *     cgroup  cgroup_skb/ingress on the root cgroup v2: runs from tcp_filter() with the very
 *             listener the kernel chose (after TPROXY, sk_lookup, netfilter) and predicts what
 *             tcp_conn_request / tcp_check_req will do with this SYN / final ACK
 *     tc      the tc ingress hook (a tcx link on 6.6+, else a clsact qdisc filter): look the
 *             listener up for each SYN / final ACK and predict the same
 *   drop reason (acceptq-exact.bpf.h): raw_tp/kfree_skb with TCP_LISTEN_OVERFLOW (6.15+),
 *     the exact ACK-time signal, loaded beside cgroup or tc where the kernel has it
 *
 * Shared by all of them (acceptq-common.bpf.h): the minimal kernel types, the rodata filters,
 * the maps, the reads of a listener's state, the SYN classification and emit(), where every
 * hook ends: filters, exact counters in hash/array maps, then one ring-buffer record (none
 * with --summary); a full ring buffer is counted, never silent.
 *
 * The parts are included here, not compiled apart: this file is the one compilation unit
 * (see bpf/build.sh). The kprobe programs read the pt_regs of the architecture build.sh
 * names with -D__TARGET_ARCH_*; everything else is architecture-neutral.
 */
#include "acceptq-common.bpf.h"
#include "acceptq-exact.bpf.h"
#include "acceptq-predict.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The exact hooks of bpf/acceptq.bpf.c (compiled only as part of it): the kernel's own
 * decisions, seen in the functions that make them.
 *
 *   fentry/tcp_conn_request, kprobe twin                     SYN-time reasons
 *   fentry+fexit/tcp_v{4,6}_syn_recv_sock, kprobe+kretprobe  accept-queue-full-ack
 *   raw_tp/kfree_skb (TCP_LISTEN_OVERFLOW, 6.15+)            accept-queue-full-ack, for the
 *                                                            cgroup and tc strategies
 *
 * fentry/fexit and raw_tp read their arguments from an array of u64 and are the same on
 * every architecture; the kprobe/kretprobe programs read registers through PT_REGS_*, laid
 * out for the __TARGET_ARCH_* that bpf/build.sh passes.
 */
#ifndef SYNQ_ACCEPTQ_EXACT_BPF_H
#define SYNQ_ACCEPTQ_EXACT_BPF_H

/* PT_REGS_* of the kprobe programs: struct pt_regs of __TARGET_ARCH_* (bpf/build.sh). */
#include <asm/ptrace.h>
#include <bpf/bpf_tracing.h>

#include "acceptq-common.bpf.h"

/* ---- State and packet reads of the exact hooks ---------------------------------------- */

/* tcp_v{4,6}_syn_recv_sock entry → return, per CPU (softirq: no migration, no nesting). */
struct recv_sock_entry {
	__u64 sk;
	__u64 skb;
	struct listener_state l;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2); /* 0: tcp_v4_syn_recv_sock, 1: tcp_v6_syn_recv_sock */
	__type(key, __u32);
	__type(value, struct recv_sock_entry);
} acceptq_recv_sock SEC(".maps");

/* The addresses and ports of the packet in a kernel sk_buff (network/transport set). */
static __always_inline int read_skb_pkt(struct sk_buff *skb, struct pkt *p)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 thoff = BPF_CORE_READ(skb, transport_header);
	struct tcphdr th;
	__u8 version;

	if (bpf_probe_read_kernel(&version, 1, head + nh))
		return -1;
	if ((version >> 4) == 4) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return -1;
		p->family = AF_INET;
		p->src.v4 = ip.saddr;
		p->dst.v4 = ip.daddr;
	} else if ((version >> 4) == 6) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return -1;
		p->family = AF_INET6;
		__builtin_memcpy(p->src.v6, &ip6.saddr, 16);
		__builtin_memcpy(p->dst.v6, &ip6.daddr, 16);
	} else {
		return -1;
	}
	if (bpf_probe_read_kernel(&th, sizeof(th), head + thoff))
		return -1;
	p->sport = bpf_ntohs(th.source);
	p->dport = bpf_ntohs(th.dest);
	return 0;
}

/* ---- fentry / kprobe: tcp_conn_request ------------------------------------------------- */

static __always_inline int on_conn_request(struct sock *sk, struct sk_buff *skb, int typed)
{
	struct listener_state l = {};
	struct pkt p = {};
	__u32 tw_isn = 0;
	__u8 reason;

	struct tcp_sock *tp = 0;

	if (typed) {
		tp = bpf_skc_to_tcp_sock(sk);
		if (!tp)
			return 0;
		read_queues_tp(tp, &l);
		note_peak_tp(tp, &l);
	} else {
		/*
		 * Helper reads cost here: with room in both queues nothing can be reported but a
		 * cookie (tcp_syncookies=2), so the common SYN stops after three reads (more only
		 * when its listener's queue holds something: the peak).
		 */
		read_depths(sk, &l);
		if (l.backlog <= l.max && !synq_full(&l) &&
		    !(filter_reasons & (1U << ACCEPTQ_REASON_COOKIE_SENT))) {
			if (track_peaks && l.backlog) {
				read_context(sk, &l);
				note_peak(sk, &l);
			}
			return 0;
		}
		read_context(sk, &l);
		note_peak(sk, &l);
	}
	/* TCP_SKB_CB(skb)->tcp_tw_isn: set when the SYN recycles a TIME_WAIT socket. */
	if (bpf_core_field_exists(struct tcp_skb_cb, tcp_tw_isn)) {
		struct tcp_skb_cb *cb = (void *)skb + bpf_core_field_offset(struct sk_buff, cb);

		tw_isn = BPF_CORE_READ(cb, tcp_tw_isn);
	}
	reason = classify_syn(&l, tw_isn, 0);
	if (!reason || !wanted(&l, reason))
		return 0;
	/* Every SYN gets here: the identity is read only for the few that are reported. */
	if (!l.family) {
		if (tp)
			read_identity_tp(tp, &l);
		else
			read_identity(sk, &l);
	}
	read_skb_pkt(skb, &p);
	emit(&l, &p, reason, ACCEPTQ_HOOK_CONN_REQUEST);
	return 0;
}

SEC("fentry/tcp_conn_request")
int BPF_PROG(acceptq_fentry_conn_request, void *rsk_ops, void *af_ops, struct sock *sk,
	     struct sk_buff *skb)
{
	return on_conn_request(sk, skb, 1);
}

SEC("kprobe/tcp_conn_request")
int BPF_KPROBE(acceptq_kprobe_conn_request, void *rsk_ops, void *af_ops, struct sock *sk,
	       struct sk_buff *skb)
{
	return on_conn_request(sk, skb, 0);
}

/* ---- fentry+fexit / kprobe+kretprobe: tcp_v4_syn_recv_sock, tcp_v6_syn_recv_sock ------- */

static __always_inline int on_recv_sock_entry(struct sock *sk, struct sk_buff *skb, __u32 slot,
					      int typed)
{
	struct recv_sock_entry *e = bpf_map_lookup_elem(&acceptq_recv_sock, &slot);

	if (!e)
		return 0;
	e->sk = 0;
	/* tcp_v6_syn_recv_sock hands IPv4 (v4-mapped) packets to tcp_v4_syn_recv_sock. */
	if (slot == 1 && BPF_CORE_READ(skb, protocol) == bpf_htons(ETH_P_IP))
		return 0;
	__builtin_memset(&e->l, 0, sizeof(e->l));
	struct tcp_sock *tp = 0;

	if (typed) {
		tp = bpf_skc_to_tcp_sock(sk);
		if (!tp)
			return 0;
		read_queues_tp(tp, &e->l);
		note_peak_tp(tp, &e->l);
	} else {
		read_listener(sk, &e->l);
		note_peak(sk, &e->l);
	}
	/* Only a full accept queue at entry can make it return NULL for ListenOverflows. */
	if (e->l.backlog <= e->l.max)
		return 0;
	if (tp && !e->l.family)
		read_identity_tp(tp, &e->l);
	e->sk = (__u64)sk;
	e->skb = (__u64)skb;
	return 0;
}

static __always_inline int on_recv_sock_return(void *child, __u32 slot)
{
	struct recv_sock_entry *e = bpf_map_lookup_elem(&acceptq_recv_sock, &slot);
	struct pkt p = {};

	if (!e || !e->sk)
		return 0;
	e->sk = 0;
	if (child)
		return 0;
	read_skb_pkt((struct sk_buff *)e->skb, &p);
	emit(&e->l, &p, ACCEPTQ_REASON_ACCEPT_QUEUE_FULL_ACK, ACCEPTQ_HOOK_SYN_RECV_SOCK);
	return 0;
}

SEC("fentry/tcp_v4_syn_recv_sock")
int BPF_PROG(acceptq_fentry_v4_recv_sock, struct sock *sk, struct sk_buff *skb)
{
	return on_recv_sock_entry(sk, skb, 0, 1);
}

SEC("fexit/tcp_v4_syn_recv_sock")
int BPF_PROG(acceptq_fexit_v4_recv_sock, struct sock *sk, struct sk_buff *skb, void *req,
	     void *dst, void *req_unhash, void *own_req, struct sock *child)
{
	return on_recv_sock_return(child, 0);
}

SEC("fentry/tcp_v6_syn_recv_sock")
int BPF_PROG(acceptq_fentry_v6_recv_sock, struct sock *sk, struct sk_buff *skb)
{
	return on_recv_sock_entry(sk, skb, 1, 1);
}

SEC("fexit/tcp_v6_syn_recv_sock")
int BPF_PROG(acceptq_fexit_v6_recv_sock, struct sock *sk, struct sk_buff *skb, void *req,
	     void *dst, void *req_unhash, void *own_req, struct sock *child)
{
	return on_recv_sock_return(child, 1);
}

/*
 * Kernels whose syn_recv_sock() takes a seventh parameter (a callback, e.g. Debian's
 * 6.12.117): fexit finds the return value one slot further. The loader picks the variant
 * from the function's parameter count in the kernel's BTF; only one of each pair loads.
 */
SEC("fexit/tcp_v4_syn_recv_sock")
int BPF_PROG(acceptq_fexit7_v4_recv_sock, struct sock *sk, struct sk_buff *skb, void *req,
	     void *dst, void *req_unhash, void *own_req, void *arg6, struct sock *child)
{
	return on_recv_sock_return(child, 0);
}

SEC("fexit/tcp_v6_syn_recv_sock")
int BPF_PROG(acceptq_fexit7_v6_recv_sock, struct sock *sk, struct sk_buff *skb, void *req,
	     void *dst, void *req_unhash, void *own_req, void *arg6, struct sock *child)
{
	return on_recv_sock_return(child, 1);
}

SEC("kprobe/tcp_v4_syn_recv_sock")
int BPF_KPROBE(acceptq_kprobe_v4_recv_sock, struct sock *sk, struct sk_buff *skb)
{
	return on_recv_sock_entry(sk, skb, 0, 0);
}

SEC("kretprobe/tcp_v4_syn_recv_sock")
int BPF_KRETPROBE(acceptq_kretprobe_v4_recv_sock, struct sock *child)
{
	return on_recv_sock_return(child, 0);
}

SEC("kprobe/tcp_v6_syn_recv_sock")
int BPF_KPROBE(acceptq_kprobe_v6_recv_sock, struct sock *sk, struct sk_buff *skb)
{
	return on_recv_sock_entry(sk, skb, 1, 0);
}

SEC("kretprobe/tcp_v6_syn_recv_sock")
int BPF_KRETPROBE(acceptq_kretprobe_v6_recv_sock, struct sock *child)
{
	return on_recv_sock_return(child, 1);
}

/* ---- raw_tp/kfree_skb: the exact ACK-time signal of 6.15+ ------------------------------ */

/*
 * tcp_check_req() (net/ipv4/tcp_minisocks.c) sets SKB_DROP_REASON_TCP_LISTEN_OVERFLOW when
 * syn_recv_sock() returns NULL, and tcp_v4_rcv()/tcp_v6_rcv() free the ACK with it, passing
 * the listener as rx_sk. Used by the cgroup and tc strategies (fentry/kprobe see syn_recv_sock).
 */
SEC("raw_tp/kfree_skb")
int BPF_PROG(acceptq_kfree_skb, struct sk_buff *skb, void *location, int reason,
	     struct sock *rx_sk)
{
	struct listener_state l = {};
	struct pkt p = {};

	if (!bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW))
		return 0;
	if (reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW))
		return 0;
	if (!rx_sk)
		return 0;
	read_listener(rx_sk, &l);
	note_peak(rx_sk, &l);
	read_skb_pkt(skb, &p);
	emit(&l, &p, ACCEPTQ_REASON_ACCEPT_QUEUE_FULL_ACK, ACCEPTQ_HOOK_KFREE_SKB);
	return 0;
}

#endif /* SYNQ_ACCEPTQ_EXACT_BPF_H */

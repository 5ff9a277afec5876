/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The packet predictors of bpf/acceptq.bpf.c (compiled only as part of it): from a SYN or
 * final ACK and its listener, what tcp_conn_request() / tcp_check_req() will decide.
 *
 *   tc      SEC("tc"), attached by user space to the tc ingress hook (a tcx link on 6.6+,
 *           else a clsact qdisc filter): data starts at L2; the listener is looked up
 *   cgroup  cgroup_skb/ingress on the root cgroup v2, run from tcp_filter(): data starts at
 *           L3; skb->sk is the listener the kernel chose
 *
 * Three header parsers: parse_tc() (copies relative to the network header), parse_cgroup()
 * (reads in place) and cgroup_tcp_flags() (just the flags, before anything is paid for).
 */
#ifndef SYNQ_ACCEPTQ_PREDICT_BPF_H
#define SYNQ_ACCEPTQ_PREDICT_BPF_H

#include <linux/pkt_cls.h>

#include "acceptq-common.bpf.h"

/* ---- Predictions, shared by tc and cgroup ---------------------------------------------- */

/*
 * A final ACK for a request socket (tc and cgroup): would tcp_check_req() reach
 * syn_recv_sock() and find the accept queue full? Reported as accept-queue-full-ack.
 */
static __always_inline void predict_request_ack(struct bpf_sock *sk, const struct tcphdr *th,
					   __u32 payload, const struct pkt *p, __u8 hook)
{
	struct tcp_request_sock *treq = bpf_skc_to_tcp_request_sock(sk);
	struct request_sock *req = (void *)treq;
	struct listener_state l = {};
	__u32 seq, end_seq, rcv_nxt, wnd;
	struct sock *lsk;

	if (!treq)
		return;
	lsk = BPF_CORE_READ(req, __req_common.skc_listener);
	if (!lsk || BPF_CORE_READ(lsk, __sk_common.skc_state) != TCP_LISTEN)
		return;
	if (BPF_CORE_READ(treq, tfo_listener))
		return;
	/* Invalid ACK: the listener answers with a reset. */
	if (bpf_ntohl(th->ack_seq) != BPF_CORE_READ(treq, snt_isn) + 1)
		return;
	/* tcp_in_window(seq, end_seq, rcv_nxt, rcv_nxt + rcv_wnd): out of window is dropped. */
	seq = bpf_ntohl(th->seq);
	end_seq = seq + payload + th->fin;
	rcv_nxt = BPF_CORE_READ(treq, rcv_nxt);
	wnd = BPF_CORE_READ(req, __req_common.skc_rcv_wnd);
	if (seq != rcv_nxt && !((__s32)(end_seq - rcv_nxt) > 0 && (__s32)(seq - (rcv_nxt + wnd)) < 0))
		return;
	/* TCP_DEFER_ACCEPT drops bare ACKs silently. */
	if (end_seq == BPF_CORE_READ(treq, rcv_isn) + 1 &&
	    BPF_CORE_READ_BITFIELD_PROBED(req, num_timeout) <
		    BPF_CORE_READ((struct inet_connection_sock *)lsk, icsk_accept_queue.rskq_defer_accept))
		return;
	read_queues(lsk, &l);
	note_peak(lsk, &l);
	if (l.backlog > l.max) {
		if (!l.family)
			read_identity(lsk, &l);
		emit(&l, p, ACCEPTQ_REASON_ACCEPT_QUEUE_FULL_ACK, hook);
	}
}

/*
 * An ACK for a listener: a SYN-cookie ACK that would overflow in tcp_get_cookie_sock().
 * tc only: the cookie-check helpers exist for tc and XDP programs, not cgroup_skb.
 */
static __always_inline void predict_cookie_ack(struct bpf_sock *sk, struct iphdr *ip,
					  struct ipv6hdr *ip6, struct tcphdr *th,
					  const struct pkt *p)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	struct listener_state l = {};
	long valid = -1;

	if (!tp)
		return;
	read_queues_tp(tp, &l);
	note_peak_tp(tp, &l);
	if (!l.syncookies || l.backlog <= l.max)
		return;
	/* bpf_tcp_raw_check_syncookie_* exist since 6.0; older kernels skip this case. */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_tcp_raw_check_syncookie_ipv4))
		return;
	if (p->family == AF_INET)
		valid = bpf_tcp_raw_check_syncookie_ipv4(ip, th);
	else
		valid = bpf_tcp_raw_check_syncookie_ipv6(ip6, th);
	if (valid == 0) {
		if (!l.family)
			read_identity_tp(tp, &l);
		emit(&l, p, ACCEPTQ_REASON_ACCEPT_QUEUE_FULL_ACK, ACCEPTQ_HOOK_TC);
	}
}

/* A SYN for a listener: what tcp_conn_request() will decide (0: nothing to report). */
static __always_inline __u8 predict_syn(struct bpf_sock *listener, struct listener_state *l,
					 int note_cookies)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(listener);
	__u8 reason;

	if (!tp)
		return 0;
	read_queues_tp(tp, l);
	note_peak_tp(tp, l);
	reason = classify_syn(l, 0, note_cookies);
	if (!reason || !wanted(l, reason))
		return 0;
	if (!l->family)
		read_identity_tp(tp, l);
	return reason;
}

/* ---- Header parsers ------------------------------------------------------------------- */

/* The TCP packet in an skb whose data may start at L2 (tc) or L3 (cgroup). */
struct parsed {
	struct bpf_sock_tuple t;
	struct ipv6hdr ip6;
	struct iphdr ip;
	struct tcphdr th;
	struct pkt p;
	__u32 payload;
};

/* The lookup tuple's size; a constant per family, as the verifier wants it. */
#define TUPLE_LEN(x) ((x)->p.family == AF_INET ? sizeof((x)->t.ipv4) : sizeof((x)->t.ipv6))

/* Fills the tuple and packet fields of `x` once x->ip/x->ip6 and x->th are read. */
static __always_inline void fill_v4(struct parsed *x, __u32 ihl)
{
	x->t.ipv4.saddr = x->ip.saddr;
	x->t.ipv4.daddr = x->ip.daddr;
	x->t.ipv4.sport = x->th.source;
	x->t.ipv4.dport = x->th.dest;
	x->payload = bpf_ntohs(x->ip.tot_len) - ihl - x->th.doff * 4;
	x->p.family = AF_INET;
	x->p.src.v4 = x->ip.saddr;
	x->p.dst.v4 = x->ip.daddr;
}

static __always_inline void fill_v6(struct parsed *x)
{
	__builtin_memcpy(x->t.ipv6.saddr, &x->ip6.saddr, 16);
	__builtin_memcpy(x->t.ipv6.daddr, &x->ip6.daddr, 16);
	x->t.ipv6.sport = x->th.source;
	x->t.ipv6.dport = x->th.dest;
	x->payload = bpf_ntohs(x->ip6.payload_len) - x->th.doff * 4;
	x->p.family = AF_INET6;
	__builtin_memcpy(x->p.src.v6, &x->ip6.saddr, 16);
	__builtin_memcpy(x->p.dst.v6, &x->ip6.daddr, 16);
}

/* Only a SYN (to a listener) or a bare ACK / ACK with data (to a request) matters. */
static __always_inline int syn_or_ack(struct parsed *x)
{
	if (x->th.rst || (x->th.syn && x->th.ack) || (!x->th.syn && !x->th.ack))
		return -1;
	x->p.sport = bpf_ntohs(x->th.source);
	x->p.dport = bpf_ntohs(x->th.dest);
	return 0;
}

/*
 * tc: the skb starts at L2 (of unknown length), so headers are copied relative to the
 * network header; IP without options and TCP come in one copy.
 */
static __always_inline int parse_tc(struct __sk_buff *skb, struct parsed *x)
{
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct {
			struct iphdr ip;
			struct tcphdr th;
		} h;
		__u32 ihl;

		if (bpf_skb_load_bytes_relative(skb, 0, &h, sizeof(h), BPF_HDR_START_NET))
			return -1;
		if (h.ip.version != 4 || h.ip.protocol != IPPROTO_TCP ||
		    (h.ip.frag_off & bpf_htons(0x1fff)))
			return -1;
		x->ip = h.ip;
		x->th = h.th;
		ihl = h.ip.ihl * 4;
		if (ihl < sizeof(h.ip) || ihl > 60)
			return -1;
		if (ihl != sizeof(h.ip) &&
		    bpf_skb_load_bytes_relative(skb, ihl, &x->th, sizeof(x->th), BPF_HDR_START_NET))
			return -1;
		fill_v4(x, ihl);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct {
			struct ipv6hdr ip6;
			struct tcphdr th;
		} h;

		if (bpf_skb_load_bytes_relative(skb, 0, &h, sizeof(h), BPF_HDR_START_NET))
			return -1;
		/* Extension headers are not followed: TCP must come first. */
		if (h.ip6.version != 6 || h.ip6.nexthdr != IPPROTO_TCP)
			return -1;
		x->ip6 = h.ip6;
		x->th = h.th;
		fill_v6(x);
	} else {
		return -1;
	}
	return syn_or_ack(x);
}

/* cgroup: the skb data starts at the network header; headers are read in place. */
static __always_inline int parse_cgroup(struct __sk_buff *skb, struct parsed *x)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;
		struct tcphdr *th;
		__u32 ihl;

		if ((void *)(ip + 1) > end)
			return -1;
		if (ip->version != 4 || ip->protocol != IPPROTO_TCP)
			return -1;
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip))
			return -1;
		th = data + ihl;
		if ((void *)(th + 1) > end)
			return -1;
		x->ip = *ip;
		x->th = *th;
		fill_v4(x, ihl);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;
		struct tcphdr *th = (void *)(ip6 + 1);

		if ((void *)(th + 1) > end)
			return -1;
		if (ip6->version != 6 || ip6->nexthdr != IPPROTO_TCP)
			return -1;
		x->ip6 = *ip6;
		x->th = *th;
		fill_v6(x);
	} else {
		return -1;
	}
	return syn_or_ack(x);
}

/* ---- tc: the ingress hook, a tcx link (6.6+) or a clsact qdisc filter ------------------ */

SEC("tc")
int acceptq_tc_ingress(struct __sk_buff *skb)
{
	struct listener_state l = {};
	struct parsed x = {};
	struct bpf_sock *sk;
	int cookies = 0;

	if (parse_tc(skb, &x))
		return TC_ACT_UNSPEC;
	/*
	 * Every established connection's ACKs come here too: look them up only when they can
	 * matter, i.e. to predict request-ACK overflows (no exact kfree_skb signal) or while
	 * SYN cookies may be in flight (cookie ACKs into a full queue).
	 */
	if (!x.th.syn) {
		cookies = cookies_recent();
		if (!tc_predict_request_ack && !cookies)
			return TC_ACT_UNSPEC;
	}
	sk = bpf_skc_lookup_tcp(skb, &x.t, TUPLE_LEN(&x), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_UNSPEC;
	if (x.th.syn) {
		/*
		 * A SYN that finds a TIME_WAIT socket may recycle it and skip the SYN-queue test
		 * (tcp_timewait_state_process): its listener is not known here, so it is skipped;
		 * one that finds a request socket is a retransmission, answered without a new
		 * request.
		 */
		if (sk->state == TCP_LISTEN) {
			__u8 reason = predict_syn(sk, &l, 1);

			if (reason)
				emit(&l, &x.p, reason, ACCEPTQ_HOOK_TC);
		}
	} else if (sk->state == TCP_NEW_SYN_RECV) {
		if (tc_predict_request_ack)
			predict_request_ack(sk, &x.th, x.payload, &x.p, ACCEPTQ_HOOK_TC);
	} else if (sk->state == TCP_LISTEN && cookies) {
		predict_cookie_ack(sk, &x.ip, &x.ip6, &x.th, &x.p);
	}
	bpf_sk_release(sk);
	return TC_ACT_UNSPEC;
}

/* ---- cgroup: inet ingress of the root cgroup, i.e. tcp_filter() on the listener -------- */

/*
 * tcp_v4_rcv()/tcp_v6_rcv() run the socket's cgroup ingress programs from tcp_filter() just
 * before tcp_conn_request() (a listener and a SYN) or tcp_check_req() (a request's
 * listener and its ACK): skb->sk is the listener the kernel chose, after TPROXY, sk_lookup
 * programs, SO_REUSEPORT selection and netfilter. Cookie ACKs are not predicted here (the
 * cookie-check helpers are tc/XDP only).
 */
/* TCP flags of the packet, read in place (cgroup: data starts at the network header). */
static __always_inline int cgroup_tcp_flags(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct tcphdr *th;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl < 5)
			return -1;
		th = data + ip->ihl * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_TCP)
			return -1;
		th = (void *)(ip6 + 1);
	} else {
		return -1;
	}
	if ((void *)(th + 1) > end)
		return -1;
	return ((__u8 *)th)[13];
}

/*
 * A bare ACK for a listener that nothing else reads the listener for (6.15+, where kfree_skb
 * reports ACK-time overflows, every final ACK; before, a SYN cookie's): the depth it finds,
 * for the peak. tcp_filter() runs on a request's listener, so each completed handshake is
 * seen just before its child is queued.
 */
static __always_inline void note_ack_peak(struct bpf_sock *listener)
{
	struct listener_state l = {};
	struct tcp_sock *tp;

	if (!track_peaks)
		return;
	tp = bpf_skc_to_tcp_sock(listener);
	/* The depth alone first: an empty queue (the common case) stops here. */
	if (!tp || !tp->inet_conn.icsk_inet.sk.sk_ack_backlog)
		return;
	read_queues_tp(tp, &l);
	note_peak_tp(tp, &l);
}

#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

SEC("cgroup_skb/ingress")
int acceptq_cgroup_ingress(struct __sk_buff *skb)
{
	struct bpf_sock *listener = skb->sk;
	struct listener_state l = {};
	struct parsed x = {};
	struct bpf_sock *found;
	__u8 reason = 0;
	int flags;

	if (!listener || listener->state != TCP_LISTEN)
		return 1;
	flags = cgroup_tcp_flags(skb);
	if (flags < 0 || (flags & TCPF_RST))
		return 1;
	if ((flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		/* Classify first: headers and the lookup below are paid only for a report. */
		reason = predict_syn(listener, &l, 0);
		if (!reason)
			return 1;
	} else if ((flags & (TCPF_SYN | TCPF_ACK)) != TCPF_ACK) {
		return 1;
	} else if (!tc_predict_request_ack) {
		note_ack_peak(listener);
		return 1;
	}
	if (parse_cgroup(skb, &x))
		return 1;
	/* The request socket of this 4-tuple, if any (hashed by the packet's real tuple). */
	found = bpf_skc_lookup_tcp(skb, &x.t, TUPLE_LEN(&x), BPF_F_CURRENT_NETNS, 0);
	if (reason) {
		/* A SYN for an existing request is a retransmission: no new request. */
		if (!found || found->state != TCP_NEW_SYN_RECV)
			emit(&l, &x.p, reason, ACCEPTQ_HOOK_CGROUP);
	} else if (found && found->state == TCP_NEW_SYN_RECV) {
		predict_request_ack(found, &x.th, x.payload, &x.p, ACCEPTQ_HOOK_CGROUP);
	} else {
		/* No request: a SYN cookie's ACK, whose child would join this listener's queue. */
		note_ack_peak(listener);
	}
	if (found)
		bpf_sk_release(found);
	return 1;
}

#endif /* SYNQ_ACCEPTQ_PREDICT_BPF_H */

/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * What every program in bpf/acceptq.bpf.c shares: minimal kernel types (CO-RE), the rodata
 * filters, the maps, reading a listener, classifying a SYN, and emit().
 *
 * Hot paths read through typed pointers (fentry arguments, bpf_skc_to_tcp_sock) with direct
 * loads, and read a listener's address and inode only for what is reported.
 *
 * The SYN-time rules mirror tcp_conn_request() (net/ipv4/tcp_input.c):
 *   1. a SYN that recycles a TIME_WAIT socket (tcp_tw_isn != 0) skips the SYN-queue test;
 *   2. syncookies == 2 or SYN queue full (inet_csk_reqsk_queue_is_full) → cookie, or
 *      without cookies a drop (TCPReqQFullDrop): syn-queue-full;
 *   3. sk_acceptq_is_full (sk_ack_backlog > sk_max_ack_backlog) → drop (ListenOverflows):
 *      accept-queue-full;
 *   4. otherwise a cookie was wanted in 2 → cookie-sent.
 * The ACK-time rule mirrors tcp_v4_syn_recv_sock(): sk_acceptq_is_full → NULL
 * (ListenOverflows): accept-queue-full-ack.
 *
 * Kernel structs are hand-written minimal CO-RE definitions (no vmlinux.h): libbpf relocates
 * every field against the running kernel's BTF.
 */
#ifndef SYNQ_ACCEPTQ_COMMON_BPF_H
#define SYNQ_ACCEPTQ_COMMON_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "acceptq.h"

#define AF_INET 2
#define AF_INET6 10
/* include/net/tcp_states.h, equal to uapi BPF_TCP_* */
#define TCP_LISTEN 10
#define TCP_NEW_SYN_RECV 12

#define CORE __attribute__((preserve_access_index))

/* ---- Minimal kernel types, relocated by libbpf (CO-RE) -------------------------------- */

struct net;
struct sock;

struct sock_common {
	__be32 skc_rcv_saddr;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	unsigned char skc_reuse : 4;
	unsigned char skc_reuseport : 1;
	unsigned char skc_ipv6only : 1; /* IPV6_V6ONLY */
	struct {
		struct net *net;
	} skc_net;
	struct in6_addr skc_v6_rcv_saddr;
	struct sock *skc_listener; /* request sockets: rsk_listener */
	__u32 skc_rcv_wnd;         /* request sockets: rsk_rcv_wnd */
} CORE;

struct inode {
	unsigned long i_ino;
} CORE;

struct file {
	struct inode *f_inode;
} CORE;

struct socket {
	struct file *file;
} CORE;

struct sock {
	struct sock_common __sk_common;
	__u32 sk_ack_backlog;
	__u32 sk_max_ack_backlog;
	struct socket *sk_socket;
} CORE;

struct inet_sock {
	struct sock sk;
} CORE;

struct request_sock_queue {
	__u8 rskq_defer_accept;
	struct {
		int counter;
	} qlen;
} CORE;

struct inet_connection_sock {
	struct inet_sock icsk_inet;
	struct request_sock_queue icsk_accept_queue;
} CORE;

/* What bpf_skc_to_tcp_sock() returns: typed, so its fields load directly (no helper call). */
struct tcp_sock {
	struct inet_connection_sock inet_conn;
} CORE;

struct request_sock {
	struct sock_common __req_common;
	__u8 num_timeout : 7;
} CORE;

struct tcp_request_sock {
	__u32 rcv_isn;
	__u32 snt_isn;
	__u32 rcv_nxt;
	_Bool tfo_listener;
} CORE;

struct ns_common {
	unsigned int inum;
} CORE;

struct netns_ipv4 {
	__u8 sysctl_tcp_syncookies;
} CORE;

struct net {
	struct ns_common ns;
	struct netns_ipv4 ipv4;
} CORE;

/* include/linux/net.h: a socket and its inode are allocated together (SOCK_INODE()). */
struct socket_alloc {
	struct socket socket;
	struct inode vfs_inode;
} CORE;

struct sk_buff {
	unsigned char *head;
	__u16 transport_header;
	__u16 network_header;
	__be16 protocol;
	char cb[48];
} CORE;

struct tcp_skb_cb {
	__u32 tcp_tw_isn;
} CORE;

/* include/net/dropreason-core.h; the value comes from the kernel's BTF. */
enum skb_drop_reason {
	SKB_DROP_REASON_TCP_LISTEN_OVERFLOW = 1,
};

/* ---- Configuration, set by user space before load ------------------------------------- */

/* Only listeners on this local port (0: any). */
const volatile __u16 filter_port = 0;
/* Only listeners in the network namespace with this inode (0: any). */
const volatile __u32 filter_netns_ino = 0;
/* Bit (1 << ACCEPTQ_REASON_*) set: report and count that reason. */
const volatile __u32 filter_reasons = (1 << ACCEPTQ_REASON_ACCEPT_QUEUE_FULL) |
				      (1 << ACCEPTQ_REASON_ACCEPT_QUEUE_FULL_ACK) |
				      (1 << ACCEPTQ_REASON_SYN_QUEUE_FULL);
/* ACCEPTQ_SYNQ_FULL_*: the running kernel's inet_csk_reqsk_queue_is_full(). */
const volatile __u8 synq_rule = ACCEPTQ_SYNQ_FULL_ABOVE_BACKLOG;
/* 0: count only, no ring-buffer records (--summary). */
const volatile __u8 emit_records = 1;
/*
 * tc and cgroup: predict ACK-time overflows of requests (0 when raw_tp/kfree_skb does it).
 * Named before the cgroup program existed; user space sets it by this name.
 */
const volatile __u8 tc_predict_request_ack = 1;
/* 1: keep each listener's peak accept-queue depth (the peak maps below). */
const volatile __u8 track_peaks = 1;

/* ---- Maps ------------------------------------------------------------------------------ */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} acceptq_events SEC(".maps");

/* Exact totals: per reason (index = ACCEPTQ_REASON_*), then ACCEPTQ_TOTAL_* slots. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ACCEPTQ_TOTAL_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} acceptq_totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct acceptq_listener_key);
	__type(value, __u64);
} acceptq_listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct acceptq_remote_key);
	__type(value, __u64);
} acceptq_remotes SEC(".maps");

/*
 * Peak accept-queue depth per listener: two generations of per-CPU maps, of which the
 * programs write the one `acceptq_peaks` holds. User space reads and resets by installing
 * the other generation (the update of a map-in-map waits for an RCU grace period, so no
 * program still writes the old one once it returns), then reading and emptying the old one:
 * no update is lost between the read and the reset. Per CPU, so the common path stores only
 * when it sees a larger depth and never contends; user space takes the maximum over CPUs.
 * LRU: a run of months that never resets forgets the listeners least recently seen, not
 * the new ones, once 16384 of them have been tracked.
 */
struct acceptq_peak_map {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct acceptq_listener_key);
	__type(value, struct acceptq_peak);
} acceptq_peaks_a SEC(".maps"), acceptq_peaks_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct acceptq_peak_map);
} acceptq_peaks SEC(".maps") = {
	.values = { [0] = &acceptq_peaks_a },
};

/* Slot 0: bpf_ktime_get_ns() when a SYN was last predicted to get a cookie (tc's ACK gate). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} acceptq_cookie_seen SEC(".maps");

/* A cookie stays valid for up to two minutes (MAX_SYNCOOKIE_AGE), plus a margin. */
#define COOKIE_LIFETIME_NS (130ULL * 1000000000ULL)

/* What a listener looked like when a hook saw it. */
struct listener_state {
	union acceptq_addr addr;
	__u64 sock_ino;
	__u32 netns_ino;
	__u32 backlog;
	__u32 max;
	__u32 qlen;
	__u16 port;
	__u8 family;
	__u8 v6only;
	__u8 syncookies;
};


/* A packet's addresses and ports. */
struct pkt {
	union acceptq_addr src;
	union acceptq_addr dst;
	__u16 sport;
	__u16 dport;
	__u8 family;
};

/* ---- Counting and reporting ------------------------------------------------------------ */

static __always_inline void bump_total(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&acceptq_totals, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* +1 in a hash map, creating the entry; false when the map is full. */
static __always_inline int bump_hash(void *map, const void *key)
{
	__u64 one = 1;
	__u64 *v = bpf_map_lookup_elem(map, key);

	if (v) {
		__sync_fetch_and_add(v, 1);
		return 1;
	}
	if (!bpf_map_update_elem(map, key, &one, BPF_NOEXIST))
		return 1;
	/* Another CPU created it meanwhile (EEXIST), or the map is full (E2BIG). */
	v = bpf_map_lookup_elem(map, key);
	if (!v)
		return 0;
	__sync_fetch_and_add(v, 1);
	return 1;
}

/* The filters: whether the user asked about this listener. */
static __always_inline int listener_wanted(const struct listener_state *l)
{
	if (filter_port && l->port != filter_port)
		return 0;
	return !filter_netns_ino || l->netns_ino == filter_netns_ino;
}

/* The filters: whether the user asked about this listener and reason. */
static __always_inline int wanted(const struct listener_state *l, __u8 reason)
{
	return listener_wanted(l) && (filter_reasons & (1U << reason)) != 0;
}

/* The listener's key in the counter maps (a reason) or the peak maps (reason 0). */
static __always_inline void listener_key(const struct listener_state *l, __u8 reason,
					 struct acceptq_listener_key *lk)
{
	__builtin_memset(lk, 0, sizeof(*lk));
	lk->sock_ino = l->sock_ino;
	lk->addr = l->addr;
	lk->netns_ino = l->netns_ino;
	lk->port = l->port;
	lk->family = l->family;
	lk->reason = reason;
	lk->v6only = l->v6only;
}

/*
 * Raises this CPU's peak for the listener to l->backlog if that is larger. Depth 0 is never
 * stored (absent means 0), so a listener whose queue is empty costs one compare.
 */
static __always_inline void store_peak(const struct listener_state *l)
{
	struct acceptq_listener_key lk;
	struct acceptq_peak *v, first;
	__u32 zero = 0;
	void *peaks;

	peaks = bpf_map_lookup_elem(&acceptq_peaks, &zero);
	if (!peaks)
		return;
	listener_key(l, 0, &lk);
	v = bpf_map_lookup_elem(peaks, &lk);
	if (!v) {
		first.depth = l->backlog;
		first.max = l->max;
		/* A new entry: this CPU's value, zero on the others. */
		if (!bpf_map_update_elem(peaks, &lk, &first, BPF_NOEXIST))
			return;
		/* Another CPU created it meanwhile (EEXIST): this CPU's value in it is 0. */
		v = bpf_map_lookup_elem(peaks, &lk);
		if (!v)
			return;
	}
	if (l->backlog > v->depth) {
		v->depth = l->backlog;
		v->max = l->max;
	}
}

/* Whether a listener seen with these depths has a peak to store (before reading its identity). */
static __always_inline int peak_wanted(const struct listener_state *l)
{
	return track_peaks && l->backlog && listener_wanted(l);
}

static __always_inline void emit(const struct listener_state *l, const struct pkt *p,
				 __u8 reason, __u8 hook)
{
	struct acceptq_listener_key lk;
	struct acceptq_remote_key rk;
	struct acceptq_event *e;

	/* Filters first: nothing is counted or reserved for what the user did not ask for. */
	if (!wanted(l, reason))
		return;

	bump_total(reason);

	listener_key(l, reason, &lk);
	if (!bump_hash(&acceptq_listeners, &lk))
		bump_total(ACCEPTQ_TOTAL_LISTENER_FULL);

	__builtin_memset(&rk, 0, sizeof(rk));
	if (p->family == AF_INET) {
		rk.prefix[0] = p->src.v6[0];
		rk.prefix[1] = p->src.v6[1];
		rk.prefix[2] = p->src.v6[2];
	} else {
		__builtin_memcpy(rk.prefix, p->src.v6, 8);
	}
	rk.netns_ino = l->netns_ino;
	rk.family = p->family;
	rk.reason = reason;
	if (!bump_hash(&acceptq_remotes, &rk))
		bump_total(ACCEPTQ_TOTAL_REMOTE_FULL);

	if (!emit_records)
		return;
	e = bpf_ringbuf_reserve(&acceptq_events, sizeof(*e), 0);
	if (!e) {
		bump_total(ACCEPTQ_TOTAL_RINGBUF_LOST);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->sock_ino = l->sock_ino;
	e->listen_addr = l->addr;
	e->dst_addr = p->dst;
	e->src_addr = p->src;
	e->netns_ino = l->netns_ino;
	e->acceptq_len = l->backlog;
	e->acceptq_max = l->max;
	e->synq_len = l->qlen;
	e->listen_port = l->port;
	e->dst_port = p->dport;
	e->src_port = p->sport;
	e->listen_family = l->family;
	e->listen_v6only = l->v6only;
	e->pkt_family = p->family;
	e->reason = reason;
	e->hook = hook;
	e->syncookies = l->syncookies;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	/* User space drains the ring every 100 ms: no wakeup per record. */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* ---- Reading kernel state --------------------------------------------------------------- */

/*
 * An unsigned field whose width differs between kernels (u8 vs int, u16 vs u32), read into
 * the low bytes of a zeroed u64: right on little-endian kernels (x86, arm64) only.
 */
#define READ_UINT(ptr, field)                                                              \
	({                                                                                 \
		__u64 __v = 0;                                                             \
		bpf_probe_read_kernel(&__v, bpf_core_field_size((ptr)->field), &(ptr)->field); \
		__v;                                                                       \
	})

/* Through bpf_probe_read_kernel(): for untyped pointers (kprobe, raw_tp, walked pointers). */
/* The two queues' lengths and their shared limit. */
static __always_inline void read_depths(struct sock *sk, struct listener_state *l)
{
	struct inet_connection_sock *icsk = (void *)sk;

	l->backlog = READ_UINT(sk, sk_ack_backlog);
	l->max = READ_UINT(sk, sk_max_ack_backlog);
	l->qlen = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);
}

/* The rest classify_syn() and the filters need: port, namespace, tcp_syncookies. */
static __always_inline void read_context(struct sock *sk, struct listener_state *l)
{
	struct net *net = BPF_CORE_READ(sk, __sk_common.skc_net.net);

	l->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (net) {
		l->netns_ino = BPF_CORE_READ(net, ns.inum);
		l->syncookies = READ_UINT(net, ipv4.sysctl_tcp_syncookies);
	}
}

static __always_inline void read_queues(struct sock *sk, struct listener_state *l)
{
	read_depths(sk, l);
	read_context(sk, l);
}

/* The rest of what a report shows: family, bound address, socket inode. */
static __always_inline void read_identity(struct sock *sk, struct listener_state *l)
{
	struct socket *sock = BPF_CORE_READ(sk, sk_socket);

	l->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (l->family == AF_INET6) {
		if (bpf_core_field_exists(sk->__sk_common.skc_v6_rcv_saddr))
			BPF_CORE_READ_INTO(&l->addr.v6, sk, __sk_common.skc_v6_rcv_saddr);
		l->v6only = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only);
	} else {
		l->addr.v4 = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
	}
	if (sock)
		l->sock_ino = BPF_CORE_READ((struct socket_alloc *)sock, vfs_inode.i_ino);
}

/* A listener through helper reads (kprobe, raw tracepoint, request sockets' listeners). */
static __always_inline void read_listener(struct sock *sk, struct listener_state *l)
{
	read_queues(sk, l);
	read_identity(sk, l);
}

/*
 * Direct loads from a typed pointer (what bpf_skc_to_tcp_sock returns): the verifier turns
 * them into guarded loads, far cheaper than a helper call each. libbpf relocates every
 * offset and adjusts load sizes where a field's width differs between kernels.
 */
static __always_inline void read_queues_tp(struct tcp_sock *tp, struct listener_state *l)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;
	struct net *net = sk->__sk_common.skc_net.net;

	l->port = sk->__sk_common.skc_num;
	l->backlog = sk->sk_ack_backlog;
	l->max = sk->sk_max_ack_backlog;
	l->qlen = tp->inet_conn.icsk_accept_queue.qlen.counter;
	if (net) {
		l->netns_ino = net->ns.inum;
		l->syncookies = net->ipv4.sysctl_tcp_syncookies;
	}
}

/*
 * The rest of what a report shows: family, bound address and socket inode (three dependent
 * loads), read only once a SYN or ACK is known to be reported.
 */
static __always_inline void read_identity_tp(struct tcp_sock *tp, struct listener_state *l)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;
	struct socket *sock = sk->sk_socket;

	l->family = sk->__sk_common.skc_family;
	if (l->family == AF_INET6) {
		if (bpf_core_field_exists(sk->__sk_common.skc_v6_rcv_saddr))
			__builtin_memcpy(l->addr.v6, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		/* A bitfield: read through the helper, as direct loads of a bitfield need care. */
		l->v6only = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only);
	} else {
		l->addr.v4 = sk->__sk_common.skc_rcv_saddr;
	}
	if (sock && sock->file && sock->file->f_inode)
		l->sock_ino = sock->file->f_inode->i_ino;
}

/* A listener's peak, from a typed pointer: its identity is read only when there is one. */
static __always_inline void note_peak_tp(struct tcp_sock *tp, struct listener_state *l)
{
	if (!peak_wanted(l))
		return;
	if (!l->family)
		read_identity_tp(tp, l);
	store_peak(l);
}

/* A listener's peak, through helper reads. */
static __always_inline void note_peak(struct sock *sk, struct listener_state *l)
{
	if (!peak_wanted(l))
		return;
	if (!l->family)
		read_identity(sk, l);
	store_peak(l);
}

/* Remembers (at most once a second, to keep the cache line quiet) that cookies are in play. */
static __always_inline void note_cookie(void)
{
	__u32 zero = 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 *seen = bpf_map_lookup_elem(&acceptq_cookie_seen, &zero);

	if (seen && now - *seen > 1000000000ULL)
		*seen = now;
}

/* Whether a cookie may have been sent in the last two minutes (tc's cookie-ACK gate). */
static __always_inline int cookies_recent(void)
{
	__u32 zero = 0;
	__u64 *seen = bpf_map_lookup_elem(&acceptq_cookie_seen, &zero);

	return seen && *seen && bpf_ktime_get_ns() - *seen < COOKIE_LIFETIME_NS;
}

/* inet_csk_reqsk_queue_is_full() under the running kernel's rule. */
static __always_inline int synq_full(const struct listener_state *l)
{
	return synq_rule == ACCEPTQ_SYNQ_FULL_AT_BACKLOG ? l->qlen >= l->max : l->qlen > l->max;
}

/* tcp_conn_request()'s decision for a SYN, in its order (see the top of this file). */
static __always_inline __u8 classify_syn(const struct listener_state *l, __u32 tw_isn,
					  int note_cookies)
{
	int want_cookie = 0;

	if (!tw_isn) {
		if (l->syncookies == 2 || synq_full(l)) {
			if (!l->syncookies)
				return ACCEPTQ_REASON_SYN_QUEUE_FULL;
			want_cookie = 1;
		}
	}
	if (want_cookie && note_cookies)
		note_cookie();
	if (l->backlog > l->max)
		return ACCEPTQ_REASON_ACCEPT_QUEUE_FULL;
	return want_cookie ? ACCEPTQ_REASON_COOKIE_SENT : 0;
}

#endif /* SYNQ_ACCEPTQ_COMMON_BPF_H */

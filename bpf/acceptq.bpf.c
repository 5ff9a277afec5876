// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * synq's accept-queue overflow tracer (synq trace-drops): acceptq.stp done with CO-RE.
 *
 * One object, four attach strategies; user space (src/tracer/loader.ts) turns autoload on
 * for one strategy's programs only, sets the rodata below, loads, then attaches.
 *
 *   fentry  fentry/tcp_conn_request                     SYN: classify at entry
 *           fentry+fexit/tcp_v4_syn_recv_sock (and v6)  ACK: queue full at entry, NULL return
 *   kprobe  the same hooks as kprobe/kretprobe twins of the fentry/fexit programs
 *   cgroup  cgroup_skb/ingress on the root cgroup v2: runs from tcp_filter() with the very
 *           listener the kernel chose (after TPROXY, sk_lookup, netfilter) and predicts what
 *           tcp_conn_request / tcp_check_req will do with this SYN / final ACK
 *   tc      clsact ingress: look the listener up for each SYN / final ACK and predict the same
 *   (cgroup and tc take final-ACK drops, where the kernel has it (6.15+), from
 *    raw_tp/kfree_skb with reason TCP_LISTEN_OVERFLOW: the exact ACK-time signal)
 *
 * Every hook ends in emit(): filters (rodata), exact counters in hash/array maps, then one
 * ring-buffer record (none with --summary); a full ring buffer is counted, never silent.
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
 * every field against the running kernel's BTF. The kprobe twins read pt_regs as laid out
 * for the architecture bpf/build.sh targets (-D__TARGET_ARCH_*, x86 unless SYNQ_BPF_ARCH).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <asm/ptrace.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

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
/* tc/cgroup: predict ACK-time overflows of requests (0 when raw_tp/kfree_skb does it). */
const volatile __u8 tc_predict_request_ack = 1;

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
	__u8 syncookies;
};

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

/* The filters: whether the user asked about this listener and reason. */
static __always_inline int wanted(const struct listener_state *l, __u8 reason)
{
	if (filter_port && l->port != filter_port)
		return 0;
	if (filter_netns_ino && l->netns_ino != filter_netns_ino)
		return 0;
	return (filter_reasons & (1U << reason)) != 0;
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

	__builtin_memset(&lk, 0, sizeof(lk));
	lk.sock_ino = l->sock_ino;
	lk.addr = l->addr;
	lk.netns_ino = l->netns_ino;
	lk.port = l->port;
	lk.family = l->family;
	lk.reason = reason;
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
	e->pkt_family = p->family;
	e->reason = reason;
	e->hook = hook;
	e->syncookies = l->syncookies;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	/* User space drains the ring every 100 ms: no wakeup per record. */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* ---- Reading kernel state --------------------------------------------------------------- */

/* An unsigned field whose width differs between kernels (u8 vs int, u16 vs u32): x86 is LE. */
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
	} else {
		l->addr.v4 = sk->__sk_common.skc_rcv_saddr;
	}
	if (sock && sock->file && sock->file->f_inode)
		l->sock_ino = sock->file->f_inode->i_ino;
}

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
	} else {
		/*
		 * Helper reads cost here: with room in both queues nothing can be reported but a
		 * cookie (tcp_syncookies=2), so the common SYN stops after three reads.
		 */
		read_depths(sk, &l);
		if (l.backlog <= l.max && !synq_full(&l) &&
		    !(filter_reasons & (1U << ACCEPTQ_REASON_COOKIE_SENT)))
			return 0;
		read_context(sk, &l);
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
	if (tp)
		read_identity_tp(tp, &l);
	else
		read_identity(sk, &l);
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
	} else {
		read_listener(sk, &e->l);
	}
	/* Only a full accept queue at entry can make it return NULL for ListenOverflows. */
	if (e->l.backlog <= e->l.max)
		return 0;
	if (tp)
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
	read_skb_pkt(skb, &p);
	emit(&l, &p, ACCEPTQ_REASON_ACCEPT_QUEUE_FULL_ACK, ACCEPTQ_HOOK_KFREE_SKB);
	return 0;
}

/* ---- tc: clsact ingress prediction ------------------------------------------------------ */

/* A final ACK for a request socket: would tcp_check_req() reach syn_recv_sock()? */
static __always_inline void tc_request_ack(struct bpf_sock *sk, const struct tcphdr *th,
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
	if (l.backlog > l.max) {
		read_identity(lsk, &l);
		emit(&l, p, ACCEPTQ_REASON_ACCEPT_QUEUE_FULL_ACK, hook);
	}
}

/* An ACK for a listener: a SYN-cookie ACK that would overflow in tcp_get_cookie_sock(). */
static __always_inline void tc_cookie_ack(struct bpf_sock *sk, struct iphdr *ip,
					  struct ipv6hdr *ip6, struct tcphdr *th,
					  const struct pkt *p)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	struct listener_state l = {};
	long valid = -1;

	if (!tp)
		return;
	read_queues_tp(tp, &l);
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
	reason = classify_syn(l, 0, note_cookies);
	if (!reason || !wanted(l, reason))
		return 0;
	read_identity_tp(tp, l);
	return reason;
}

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
			tc_request_ack(sk, &x.th, x.payload, &x.p, ACCEPTQ_HOOK_TC);
	} else if (sk->state == TCP_LISTEN && cookies) {
		tc_cookie_ack(sk, &x.ip, &x.ip6, &x.th, &x.p);
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
	} else if ((flags & (TCPF_SYN | TCPF_ACK)) != TCPF_ACK || !tc_predict_request_ack) {
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
		tc_request_ack(found, &x.th, x.payload, &x.p, ACCEPTQ_HOOK_CGROUP);
	}
	if (found)
		bpf_sk_release(found);
	return 1;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";

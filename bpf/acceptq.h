/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The structs shared by bpf/acceptq.bpf.c and synq's decoder (src/trace/event-layout.ts):
 * the ring-buffer event and the keys of the two counter maps. Fixed-width fields, largest
 * first, explicit padding, so both sides agree on every offset without a compiler's help;
 * test/unit/trace/event-layout.test.ts checks the TS offsets against this object's BTF.
 * Integers are in host byte order except the addresses, which are kept as on the wire.
 */
#ifndef SYNQ_ACCEPTQ_H
#define SYNQ_ACCEPTQ_H

/* Why a SYN or ACK is reported: enum acceptq_reason in acceptq.bpf.c, by value. */
#define ACCEPTQ_REASON_ACCEPT_QUEUE_FULL 1     /* SYN dropped: accept queue full */
#define ACCEPTQ_REASON_ACCEPT_QUEUE_FULL_ACK 2 /* final ACK dropped: no room for the child */
#define ACCEPTQ_REASON_SYN_QUEUE_FULL 3        /* SYN dropped: SYN queue full, no cookies */
#define ACCEPTQ_REASON_COOKIE_SENT 4           /* SYN answered with a SYN cookie */
#define ACCEPTQ_REASON_COUNT 5                 /* slots in the `totals` array: 0 unused */

/* Extra slots of the `totals` array, after the per-reason ones. */
#define ACCEPTQ_TOTAL_RINGBUF_LOST 5  /* events counted but not delivered: ring buffer full */
#define ACCEPTQ_TOTAL_LISTENER_FULL 6 /* events not counted per listener: map full */
#define ACCEPTQ_TOTAL_REMOTE_FULL 7   /* events not counted per remote prefix: map full */
#define ACCEPTQ_TOTAL_SLOTS 8

/* Which hook saw the drop. */
#define ACCEPTQ_HOOK_CONN_REQUEST 1 /* tcp_conn_request entry (fentry or kprobe) */
#define ACCEPTQ_HOOK_SYN_RECV_SOCK 2 /* tcp_v4/v6_syn_recv_sock entry + return */
#define ACCEPTQ_HOOK_TC 3           /* clsact ingress prediction */
#define ACCEPTQ_HOOK_KFREE_SKB 4    /* skb:kfree_skb with reason TCP_LISTEN_OVERFLOW */
#define ACCEPTQ_HOOK_CGROUP 5       /* cgroup inet ingress (tcp_filter) prediction */

/* SYN-queue "full" test, rodata `synq_rule` (src/kernel/syn-queue-limit.ts). */
#define ACCEPTQ_SYNQ_FULL_AT_BACKLOG 0      /* qlen >= sk_max_ack_backlog (before the 2025 fix) */
#define ACCEPTQ_SYNQ_FULL_ABOVE_BACKLOG 1   /* qlen > sk_max_ack_backlog */

/* An IPv4 address sits in the first 4 bytes; the rest is zero. Network byte order. */
union acceptq_addr {
	__u8 v6[16];
	__u32 v4;
};

struct acceptq_event {
	__u64 ts_ns;                     /* 0: bpf_ktime_get_ns(), CLOCK_MONOTONIC */
	__u64 sock_ino;                  /* 8: the listener's socket inode (0: none) */
	union acceptq_addr listen_addr;  /* 16: the listener's bound address */
	union acceptq_addr dst_addr;     /* 32: the packet's destination */
	union acceptq_addr src_addr;     /* 48: the packet's source (the remote peer) */
	__u32 netns_ino;                 /* 64: the listener's network namespace inode */
	__u32 acceptq_len;               /* 68: sk_ack_backlog */
	__u32 acceptq_max;               /* 72: sk_max_ack_backlog */
	__u32 synq_len;                  /* 76: icsk_accept_queue.qlen */
	__u16 listen_port;               /* 80 */
	__u16 dst_port;                  /* 82 */
	__u16 src_port;                  /* 84 */
	__u8 listen_family;              /* 86: AF_INET or AF_INET6 */
	__u8 pkt_family;                 /* 87: AF_INET or AF_INET6 */
	__u8 reason;                     /* 88: ACCEPTQ_REASON_* */
	__u8 hook;                       /* 89: ACCEPTQ_HOOK_* */
	__u8 syncookies;                 /* 90: net.ipv4.tcp_syncookies of that namespace */
	__u8 listen_v6only;              /* 91: IPV6_V6ONLY of an AF_INET6 listener (0: dual-stack) */
	__u8 pad[4];                     /* 92 */
};                                       /* sizeof 96 */

/*
 * Key of the `listeners` hash map (value: __u64 count), and with reason 0 of the peak maps
 * (value: struct acceptq_peak).
 */
struct acceptq_listener_key {
	__u64 sock_ino;                  /* 0 */
	union acceptq_addr addr;         /* 8 */
	__u32 netns_ino;                 /* 24 */
	__u16 port;                      /* 28 */
	__u8 family;                     /* 30 */
	__u8 reason;                     /* 31 */
	__u8 v6only;                     /* 32: as listen_v6only */
	__u8 pad[7];                     /* 33 */
};                                       /* sizeof 40 */

/* Key of the `remotes` hash map (value: __u64 count): a /24 or a /64 of the peer. */
struct acceptq_remote_key {
	__u8 prefix[8];                  /* 0: first 3 (IPv4) or 8 (IPv6) address bytes */
	__u32 netns_ino;                 /* 8 */
	__u8 family;                     /* 12 */
	__u8 reason;                     /* 13 */
	__u16 pad;                       /* 14 */
};                                       /* sizeof 16 */

/*
 * Value of the peak maps (`acceptq_peaks_a`, `acceptq_peaks_b`), one per CPU: the largest
 * sk_ack_backlog this CPU saw for the listener on an inspected SYN or ACK, and the
 * sk_max_ack_backlog it had then.
 */
struct acceptq_peak {
	__u32 depth;                     /* 0 */
	__u32 max;                       /* 4 */
};                                       /* sizeof 8 */

#endif /* SYNQ_ACCEPTQ_H */

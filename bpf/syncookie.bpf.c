// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * synq's SYN-cookie oracle: asks the running kernel, with its own secret, what
 * cookie it would send for a SYN and whether an ACK carries a valid cookie.
 *
 * Never attached to an interface: user space feeds it one crafted Ethernet frame at
 * a time with BPF_PROG_TEST_RUN (src/cookie/kernel-oracle.ts) and reads the answer
 * from the `results` map.
 *
 *   SYN (SYN set, ACK clear) -> bpf_tcp_raw_gen_syncookie_ipv{4,6}(iph, th, th_len)
 *       = __cookie_v{4,6}_init_sequence(): cookie | mss << 32   (net/core/filter.c)
 *   ACK (ACK set, SYN/RST clear) -> bpf_tcp_raw_check_syncookie_ipv{4,6}(iph, th)
 *       = __cookie_v{4,6}_check() > 0 ? 0 : -EACCES               (net/core/filter.c)
 *
 * The helpers exist since Linux 6.0 (XDP and tc) and need CONFIG_SYN_COOKIES; they are
 * GPL-only, hence the license below. Layout accepted: Ethernet, IPv4 without options or
 * IPv6 without extension headers, TCP with no options (20 bytes) or one MSS option
 * (24 bytes): exactly what the oracle crafts.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "syncookie.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syncookie_result);
} results SEC(".maps");

static __always_inline int handle_tcp4(struct iphdr *iph, struct tcphdr *th, void *data_end,
				       struct syncookie_result *res)
{
	if ((void *)(th + 1) > data_end)
		return XDP_ABORTED;
	if (th->syn && !th->ack) {
		res->op = SYNCOOKIE_OP_GEN;
		if (th->doff == 5) {
			res->gen = bpf_tcp_raw_gen_syncookie_ipv4(iph, th, 20);
		} else if (th->doff == 6) {
			if ((void *)th + 24 > data_end)
				return XDP_ABORTED;
			res->gen = bpf_tcp_raw_gen_syncookie_ipv4(iph, th, 24);
		} else {
			return XDP_ABORTED;
		}
		return XDP_PASS;
	}
	if (th->ack && !th->syn && !th->rst) {
		res->op = SYNCOOKIE_OP_CHECK;
		res->check = bpf_tcp_raw_check_syncookie_ipv4(iph, th);
		return XDP_PASS;
	}
	return XDP_ABORTED;
}

static __always_inline int handle_tcp6(struct ipv6hdr *ip6h, struct tcphdr *th, void *data_end,
				       struct syncookie_result *res)
{
	if ((void *)(th + 1) > data_end)
		return XDP_ABORTED;
	if (th->syn && !th->ack) {
		res->op = SYNCOOKIE_OP_GEN;
		if (th->doff == 5) {
			res->gen = bpf_tcp_raw_gen_syncookie_ipv6(ip6h, th, 20);
		} else if (th->doff == 6) {
			if ((void *)th + 24 > data_end)
				return XDP_ABORTED;
			res->gen = bpf_tcp_raw_gen_syncookie_ipv6(ip6h, th, 24);
		} else {
			return XDP_ABORTED;
		}
		return XDP_PASS;
	}
	if (th->ack && !th->syn && !th->rst) {
		res->op = SYNCOOKIE_OP_CHECK;
		res->check = bpf_tcp_raw_check_syncookie_ipv6(ip6h, th);
		return XDP_PASS;
	}
	return XDP_ABORTED;
}

SEC("xdp")
int syncookie_oracle(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct syncookie_result *res;
	__u32 key = 0;

	res = bpf_map_lookup_elem(&results, &key);
	if (!res)
		return XDP_ABORTED;
	res->gen = 0;
	res->check = 0;
	res->op = SYNCOOKIE_OP_NONE;
	res->jiffies = bpf_jiffies64();

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return XDP_ABORTED;
		if (iph->version != 4 || iph->ihl != 5 || iph->protocol != IPPROTO_TCP)
			return XDP_ABORTED;
		return handle_tcp4(iph, (void *)(iph + 1), data_end, res);
	}

	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return XDP_ABORTED;
		if (ip6h->version != 6 || ip6h->nexthdr != IPPROTO_TCP)
			return XDP_ABORTED;
		return handle_tcp6(ip6h, (void *)(ip6h + 1), data_end, res);
	}

	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";

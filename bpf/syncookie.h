/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The one struct shared by bpf/syncookie.bpf.c and src/cookie/kernel-oracle.ts:
 * the value of the `results` array map (key 0) after each BPF_PROG_TEST_RUN.
 * Fixed-width fields, largest first; the TS side reads the same offsets
 * (test/unit/cookie/kernel-oracle.test.ts checks them against this file).
 */
#ifndef SYNQ_SYNCOOKIE_H
#define SYNQ_SYNCOOKIE_H

/* What the program did with the packet it was given. */
#define SYNCOOKIE_OP_NONE 0  /* not a SYN or an ACK it understands */
#define SYNCOOKIE_OP_GEN 1   /* SYN: bpf_tcp_raw_gen_syncookie_ipv{4,6} */
#define SYNCOOKIE_OP_CHECK 2 /* ACK: bpf_tcp_raw_check_syncookie_ipv{4,6} */

struct syncookie_result {
	__s64 gen;     /* offset 0: cookie | (u64)mss << 32, or -errno */
	__u64 jiffies; /* offset 8: bpf_jiffies64() when the packet was handled */
	__s32 check;   /* offset 16: 0 = valid cookie ACK, -EACCES = not valid, other -errno */
	__u32 op;      /* offset 20: SYNCOOKIE_OP_* */
};

#endif /* SYNQ_SYNCOOKIE_H */

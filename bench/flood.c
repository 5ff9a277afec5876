/*
 * A SYN flood generator for bench/tracer-overhead.ts, run inside the bench's namespace:
 * builds COUNT IPv4 SYNs to DST:DPORT from spoofed sources (192.0.2.1-250) first, then sends
 * them through one raw socket, 64 per sendmmsg(), and prints how long the sending took as
 * JSON. On loopback each packet runs the receive path (tc, TCP, the tracer) to completion
 * inside the send, so the rate measures the kernel's per-SYN cost; written in C so that the
 * generator's own cost per packet is small beside it (a JavaScript loop doubled it, hiding
 * half of any tracer's cost).
 *
 * With two namespaces (paths such as /run/netns/NAME) it floods both in turn instead, the
 * same SYNs in blocks of 128, and prints the median over blocks of A's rate ÷ B's rate: with a
 * tracer confined to A, its cost measured a few hundred microseconds apart from the baseline,
 * so the machine's drift (other VMs, frequency) cancels out block by block.
 * Usage: syn-flood DST DPORT COUNT [NETNS_A NETNS_B]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct syn {
	uint8_t ip[20];
	uint8_t tcp[24]; /* with one option: MSS 1460 */
};

/* `sum` plus the big-endian 16-bit words of `data` (the Internet checksum, not folded). */
static uint32_t add_words(const uint8_t *data, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)data[i] << 8 | data[i + 1];
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	return sum;
}

static uint16_t checksum(const uint8_t *data, size_t len, uint32_t sum)
{
	sum = add_words(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void build(struct syn *s, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
		  uint32_t seq)
{
	uint8_t pseudo[12];

	memset(s, 0, sizeof(*s));
	s->ip[0] = 0x45;
	put16(s->ip + 2, sizeof(*s));
	s->ip[8] = 64;
	s->ip[9] = IPPROTO_TCP;
	put32(s->ip + 12, saddr);
	put32(s->ip + 16, daddr);
	put16(s->ip + 10, checksum(s->ip, sizeof(s->ip), 0));

	put16(s->tcp, sport);
	put16(s->tcp + 2, dport);
	put32(s->tcp + 4, seq);
	s->tcp[12] = (sizeof(s->tcp) / 4) << 4;
	s->tcp[13] = 0x02; /* SYN */
	put16(s->tcp + 14, 65535);
	s->tcp[20] = 2; /* MSS */
	s->tcp[21] = 4;
	put16(s->tcp + 22, 1460);
	put32(pseudo, saddr);
	put32(pseudo + 4, daddr);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	put16(pseudo + 10, sizeof(s->tcp));
	put16(s->tcp + 16, checksum(s->tcp, sizeof(s->tcp), add_words(pseudo, sizeof(pseudo), 0)));
}

enum { BATCH = 64, BLOCK_BATCHES = 2 };

/* Sends syns[0..n) through `fd`, BATCH per sendmmsg(); 0 or -1 (errno set). */
static int send_all(int fd, const struct sockaddr_in *to, struct syn *syns, long n)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];

	for (long i = 0; i < n; i += BATCH) {
		int k_max = n - i < BATCH ? (int)(n - i) : BATCH;

		for (int k = 0; k < k_max; k++) {
			iov[k].iov_base = &syns[i + k];
			iov[k].iov_len = sizeof(struct syn);
			memset(&msgs[k], 0, sizeof(msgs[k]));
			msgs[k].msg_hdr.msg_name = (void *)to;
			msgs[k].msg_hdr.msg_namelen = sizeof(*to);
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
		}
		for (int sent = 0; sent < k_max;) {
			int r = sendmmsg(fd, msgs + sent, k_max - sent, 0);

			if (r < 0)
				return -1;
			sent += r;
		}
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* A raw socket in the network namespace at `path` (the calling thread stays there). */
static int raw_socket_in(const char *path)
{
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);

	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
		perror(path);
		exit(1);
	}
	close(nsfd);
	return socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Floods A and B in turn, block by block (the order alternating); prints the comparison. */
static int interleave(int fd_a, int fd_b, const struct sockaddr_in *to, struct syn *syns,
		      long count)
{
	const long block = (long)BATCH * BLOCK_BATCHES;
	long blocks = count / block;
	double *ratios = calloc(blocks ? blocks : 1, sizeof(*ratios));
	double total[2] = { 0, 0 };

	if (!blocks || !ratios) {
		fprintf(stderr, "syn-flood: COUNT must be at least %ld\n", block);
		return 2;
	}
	for (long b = 0; b < blocks; b++) {
		double took[2];

		for (int turn = 0; turn < 2; turn++) {
			int side = (b & 1) ? 1 - turn : turn;
			double start = now_ns();

			if (send_all(side ? fd_b : fd_a, to, syns + b * block, block)) {
				perror("syn-flood: sendmmsg");
				return 1;
			}
			took[side] = now_ns() - start;
		}
		total[0] += took[0];
		total[1] += took[1];
		ratios[b] = took[1] / took[0]; /* A's rate ÷ B's rate */
	}
	qsort(ratios, blocks, sizeof(*ratios), by_value);
	printf("{\"sentEach\":%ld,\"nsPerSynA\":%.1f,\"nsPerSynB\":%.1f,\"ratio\":%.4f}\n",
	       blocks * block, total[0] / (blocks * block), total[1] / (blocks * block),
	       blocks % 2 ? ratios[blocks / 2] : (ratios[blocks / 2 - 1] + ratios[blocks / 2]) / 2);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	double start, end;
	struct syn *syns;
	long count, dport;
	int fd;

	if ((argc != 4 && argc != 6) || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: syn-flood IPV4-DST DPORT COUNT [NETNS_A NETNS_B]\n");
		return 2;
	}
	dport = strtol(argv[2], NULL, 10);
	count = strtol(argv[3], NULL, 10);
	if (dport < 1 || dport > 65535 || count < 1) {
		fprintf(stderr, "syn-flood: bad port or count\n");
		return 2;
	}
	syns = calloc(count, sizeof(*syns));
	if (!syns) {
		perror("syn-flood: calloc");
		return 1;
	}
	for (long i = 0; i < count; i++) {
		uint32_t src = 0xc0000200u | (uint32_t)(1 + i % 250); /* 192.0.2.x */

		build(&syns[i], src, ntohl(to.sin_addr.s_addr), 1024 + (i / 250) % 60000,
		      (uint16_t)dport, (uint32_t)i);
	}
	if (argc == 6) {
		int fd_a = raw_socket_in(argv[4]);
		int fd_b = raw_socket_in(argv[5]);

		if (fd_a < 0 || fd_b < 0) {
			perror("syn-flood: raw socket (needs CAP_NET_RAW)");
			return 1;
		}
		return interleave(fd_a, fd_b, &to, syns, count);
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("syn-flood: raw socket (needs CAP_NET_RAW)");
		return 1;
	}
	start = now_ns();
	if (send_all(fd, &to, syns, count)) {
		perror("syn-flood: sendmmsg");
		return 1;
	}
	end = now_ns();
	printf("{\"sent\":%ld,\"ns\":%.0f,\"perSecond\":%.0f}\n", count, end - start,
	       count / ((end - start) / 1e9));
	return 0;
}

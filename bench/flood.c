/*
 * The flood generator of bench/tracer-overhead.ts, in C so that its own cost per packet is
 * small beside the kernel's (a JavaScript loop doubled it, hiding half of any tracer's cost).
 * On loopback each packet runs the receive path (tc, TCP, the tracer) to completion inside
 * the sending system call, so the rate measures the kernel's cost. Two floods:
 *   syn      COUNT IPv4 SYNs to DST:DPORT from spoofed sources (192.0.2.1-250), built first,
 *            then sent through a raw socket, 64 per sendmmsg();
 *   connect  COUNT whole connections to DST:DPORT: connect() (the handshake completes on
 *            loopback inside it), accept() on this program's own listener (backlog 4096,
 *            bound to DST:DPORT in each namespace), then both ends closed with a reset.
 * Run inside a namespace, it floods that namespace and prints how long the sending took. With
 * two namespaces (paths such as /run/netns/NAME) it floods both in turn instead, the same
 * work in blocks (128 SYNs, 32 connections), and prints the median over blocks of A's rate ÷
 * B's rate: with a tracer confined to A, its cost measured a few hundred microseconds apart
 * from the baseline, so the machine's drift (other VMs, frequency) cancels out block by block.
 * Each side is a process of its own, in its namespace and, if given, its cgroup (v2
 * directory; "-" stays), where its sockets belong; they take turns, never run at once.
 * Usage: flood syn|connect DST DPORT COUNT [NETNS_A NETNS_B [CGROUP_A CGROUP_B]]
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
#include <sys/wait.h>
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

enum { BATCH = 64 };

/* One side of a flood: where its packets or connections go, and what it has sent. */
struct side {
	int fd;       /* raw socket (syn) or listener (connect) */
	long next;    /* syn: index of the next prebuilt SYN */
};

struct flood {
	const char *name;
	long block;                                     /* work per block, interleaved */
	int (*open)(struct side *, const struct sockaddr_in *);
	int (*send)(struct side *, const struct sockaddr_in *, long n);
};

static struct syn *syns;
static long syn_count;

static int syn_open(struct side *s, const struct sockaddr_in *to)
{
	(void)to;
	s->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (s->fd < 0)
		perror("flood: raw socket (needs CAP_NET_RAW)");
	return s->fd < 0 ? -1 : 0;
}

/* The next `n` prebuilt SYNs through the raw socket, BATCH per sendmmsg(). */
static int syn_send(struct side *s, const struct sockaddr_in *to, long n)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];

	for (long i = 0; i < n; i += BATCH) {
		int k_max = n - i < BATCH ? (int)(n - i) : BATCH;

		for (int k = 0; k < k_max; k++) {
			iov[k].iov_base = &syns[s->next++ % syn_count];
			iov[k].iov_len = sizeof(struct syn);
			memset(&msgs[k], 0, sizeof(msgs[k]));
			msgs[k].msg_hdr.msg_name = (void *)to;
			msgs[k].msg_hdr.msg_namelen = sizeof(*to);
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
		}
		for (int sent = 0; sent < k_max;) {
			int r = sendmmsg(s->fd, msgs + sent, k_max - sent, 0);

			if (r < 0) {
				perror("flood: sendmmsg");
				return -1;
			}
			sent += r;
		}
	}
	return 0;
}

static int connect_open(struct side *s, const struct sockaddr_in *to)
{
	int one = 1;

	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->fd, (const struct sockaddr *)to, sizeof(*to)) || listen(s->fd, 4096)) {
		perror("flood: listener");
		return -1;
	}
	return 0;
}

/* `n` connections: connect, accept, and both ends reset (no TIME_WAIT left behind). */
static int connect_send(struct side *s, const struct sockaddr_in *to, long n)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };

	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int a;

		if (c < 0 || setsockopt(c, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)) ||
		    connect(c, (const struct sockaddr *)to, sizeof(*to))) {
			perror("flood: connect");
			return -1;
		}
		a = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0 || setsockopt(a, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset))) {
			perror("flood: accept");
			return -1;
		}
		close(c);
		close(a);
	}
	return 0;
}

static const struct flood FLOODS[] = {
	{ "syn", 2 * BATCH, syn_open, syn_send },
	{ "connect", 32, connect_open, connect_send },
};

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Moves this process into the network namespace at `path` and, unless "-", the cgroup. */
static int enter(const char *netns, const char *cgroup)
{
	int fd = open(netns, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		perror(netns);
		return -1;
	}
	close(fd);
	if (cgroup && strcmp(cgroup, "-")) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1) {
			perror(path);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* One side of an interleaved flood: a process that runs a block each time it is told to. */
struct worker {
	pid_t pid;
	int go;   /* a byte here: run one block */
	int done; /* the block's nanoseconds come back here (EOF: it failed) */
};

static int start_worker(const struct flood *f, struct worker *w, const char *netns,
			const char *cgroup, const struct sockaddr_in *to)
{
	int go[2], done[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(done, O_CLOEXEC)) {
		perror("flood: pipe");
		return -1;
	}
	w->pid = fork();
	if (w->pid < 0) {
		perror("flood: fork");
		return -1;
	}
	if (w->pid == 0) {
		struct side s = { -1, 0 };
		char c;

		close(go[1]);
		close(done[0]);
		if (enter(netns, cgroup) || f->open(&s, to))
			_exit(1);
		while (read(go[0], &c, 1) == 1) {
			double start = now_ns(), took;

			if (f->send(&s, to, f->block))
				_exit(1);
			took = now_ns() - start;
			if (write(done[1], &took, sizeof(took)) != sizeof(took))
				_exit(1);
		}
		_exit(0);
	}
	close(go[0]);
	close(done[1]);
	w->go = go[1];
	w->done = done[0];
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Floods A and B in turn, block by block (the order alternating); prints the comparison. */
static int interleave(const struct flood *f, struct worker *w, long count)
{
	long blocks = count / f->block;
	double *ratios = calloc(blocks ? blocks : 1, sizeof(*ratios));
	double total[2] = { 0, 0 };

	if (!blocks || !ratios) {
		fprintf(stderr, "flood: COUNT must be at least %ld\n", f->block);
		return 2;
	}
	for (long b = 0; b < blocks; b++) {
		double took[2];

		for (int turn = 0; turn < 2; turn++) {
			int side = (b & 1) ? 1 - turn : turn;

			if (write(w[side].go, "x", 1) != 1 ||
			    read(w[side].done, &took[side], sizeof(took[side])) != sizeof(took[side])) {
				fprintf(stderr, "flood: side %c failed\n", "AB"[side]);
				return 1;
			}
		}
		total[0] += took[0];
		total[1] += took[1];
		ratios[b] = took[1] / took[0]; /* A's rate ÷ B's rate */
	}
	qsort(ratios, blocks, sizeof(*ratios), by_value);
	printf("{\"sentEach\":%ld,\"nsEachA\":%.1f,\"nsEachB\":%.1f,\"ratio\":%.4f}\n",
	       blocks * f->block, total[0] / (blocks * f->block), total[1] / (blocks * f->block),
	       blocks % 2 ? ratios[blocks / 2] : (ratios[blocks / 2 - 1] + ratios[blocks / 2]) / 2);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	const struct flood *f = NULL;
	struct side own = { -1, 0 };
	double start, end;
	long count, dport;

	for (size_t i = 0; argc > 1 && i < sizeof(FLOODS) / sizeof(FLOODS[0]); i++)
		if (!strcmp(argv[1], FLOODS[i].name))
			f = &FLOODS[i];
	if (!f || (argc != 5 && argc != 7 && argc != 9) ||
	    inet_pton(AF_INET, argv[2], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: flood syn|connect IPV4-DST DPORT COUNT "
				"[NETNS_A NETNS_B [CGROUP_A CGROUP_B]]\n");
		return 2;
	}
	dport = strtol(argv[3], NULL, 10);
	count = strtol(argv[4], NULL, 10);
	if (dport < 1 || dport > 65535 || count < 1) {
		fprintf(stderr, "flood: bad port or count\n");
		return 2;
	}
	to.sin_port = htons((uint16_t)dport);
	if (f->send == syn_send) {
		syn_count = count;
		syns = calloc(count, sizeof(*syns));
		if (!syns) {
			perror("flood: calloc");
			return 1;
		}
		for (long i = 0; i < count; i++) {
			uint32_t src = 0xc0000200u | (uint32_t)(1 + i % 250); /* 192.0.2.x */

			build(&syns[i], src, ntohl(to.sin_addr.s_addr), 1024 + (i / 250) % 60000,
			      (uint16_t)dport, (uint32_t)i);
		}
		to.sin_port = 0; /* a raw socket takes the port from the packet */
	}
	if (argc >= 7) {
		struct worker w[2];
		int status, rc;

		if (start_worker(f, &w[0], argv[5], argc == 9 ? argv[7] : NULL, &to) ||
		    start_worker(f, &w[1], argv[6], argc == 9 ? argv[8] : NULL, &to))
			return 1;
		rc = interleave(f, w, count);
		/* B inherited A's end of A's pipe: both must close before either sees EOF. */
		for (int i = 0; i < 2; i++)
			close(w[i].go);
		for (int i = 0; i < 2; i++)
			waitpid(w[i].pid, &status, 0);
		return rc;
	}
	if (f->open(&own, &to))
		return 1;
	start = now_ns();
	if (f->send(&own, &to, count))
		return 1;
	end = now_ns();
	printf("{\"sent\":%ld,\"ns\":%.0f,\"perSecond\":%.0f}\n", count, end - start,
	       count / ((end - start) / 1e9));
	return 0;
}

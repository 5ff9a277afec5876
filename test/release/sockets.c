/*
 * Listeners and connection floods inside the Debian roots of test/release, which have no
 * Node.js or Python: compiled statically on the host (gcc -static) and copied in.
 *   listen HOST PORT BACKLOG   a listener that never accepts; HOST "::" is dual-stack.
 *                              Prints "listening" once it is, then waits to be killed.
 *   connect HOST PORT COUNT HOLD_MS
 *                              COUNT non-blocking connects at once, held HOLD_MS, then closed
 *                              with a reset. Held under a second, no SYN is retransmitted, so
 *                              each refused SYN is dropped exactly once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* HOST:PORT as a socket address; returns its length. */
static socklen_t address(const char *host, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return sizeof(*in6);
	}
	fprintf(stderr, "not an address: %s\n", host);
	exit(2);
}

static void __attribute__((noreturn)) listen_forever(const char *host, int port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = address(host, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	int one = 1, zero = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind");
	if (listen(fd, backlog) < 0)
		die("listen");
	printf("listening\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int connect_and_hold(const char *host, int port, int count, int hold_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = address(host, port, &ss);
	int *fds = calloc(count, sizeof(int));
	if (!fds)
		die("calloc");
	for (int i = 0; i < count; i++) {
		fds[i] = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			die("socket");
		if (connect(fds[i], (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
			die("connect");
	}
	struct timespec hold = { hold_ms / 1000, (long)(hold_ms % 1000) * 1000000L };
	nanosleep(&hold, NULL);
	struct linger reset = { 1, 0 };
	for (int i = 0; i < count; i++) {
		setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
		close(fds[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "listen") == 0)
		listen_forever(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && strcmp(argv[1], "connect") == 0)
		return connect_and_hold(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: %s listen HOST PORT BACKLOG | connect HOST PORT COUNT HOLD_MS\n",
		argv[0]);
	return 2;
}

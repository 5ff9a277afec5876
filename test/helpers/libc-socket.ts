import { isIPv4 } from "node:net";
import koffi from "koffi";
import { sockaddr } from "./inet-bytes.js";

/**
 * Listening sockets made with libc directly (koffi), because node's net module accepts
 * connections as soon as they arrive: synq's tests need listeners that never accept, with
 * exact backlogs, IPV6_V6ONLY, SO_REUSEPORT and SO_BINDTODEVICE.
 */
const libc = koffi.load("libc.so.6");
const socket = libc.func("int socket(int, int, int)");
const setsockopt = libc.func("int setsockopt(int, int, int, const void *, uint32_t)");
const bind = libc.func("int bind(int, const void *, uint32_t)");
const listen = libc.func("int listen(int, int)");
const close = libc.func("int close(int)");
const accept4 = libc.func("int accept4(int, void *, void *, int)");
const errnoLocation = libc.func("int *__errno_location()");
const poll = libc.func("int poll(void *, unsigned long, int)");
const POLLIN = 1;

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOCK_NONBLOCK = 0o4000;
const EAGAIN = 11;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_BINDTODEVICE = 25;
const SO_REUSEPORT = 15;
const IPPROTO_IPV6 = 41;
const IPV6_V6ONLY = 26;
const SOL_IP = 0;
const IP_TRANSPARENT = 19;

/** What kind of listener to open. */
export interface ListenerSpec {
  address: string;
  port: number;
  backlog: number;
  v6only?: boolean;
  reuseport?: boolean;
  device?: string;
  transparent?: boolean;
}

function errno(): number {
  return koffi.decode(errnoLocation(), "int") as number;
}

function int(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
}

function check(rc: number, what: string, fd?: number): void {
  if (rc < 0) {
    const e = errno();
    if (fd !== undefined) close(fd);
    throw new Error(`${what} failed: errno ${e}`);
  }
}

/** Opens a listening TCP socket and returns its file descriptor. */
export function openListener(spec: ListenerSpec): number {
  const v4 = isIPv4(spec.address);
  // CLOEXEC: only the socket handed to a sharing process explicitly should reach it.
  const fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0) as number;
  check(fd, "socket");
  check(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, int(1), 4) as number, "SO_REUSEADDR", fd);
  if (spec.reuseport)
    check(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, int(1), 4) as number, "SO_REUSEPORT", fd);
  if (!v4) {
    check(
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, int(spec.v6only ? 1 : 0), 4) as number,
      "IPV6_V6ONLY",
      fd,
    );
  }
  if (spec.transparent)
    check(setsockopt(fd, SOL_IP, IP_TRANSPARENT, int(1), 4) as number, "IP_TRANSPARENT", fd);
  if (spec.device) {
    const dev = Buffer.from(`${spec.device}\0`);
    check(
      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, dev.length) as number,
      "SO_BINDTODEVICE",
      fd,
    );
  }
  const addr = sockaddr(spec.address, spec.port);
  check(bind(fd, addr, addr.length) as number, `bind ${spec.address}:${spec.port}`, fd);
  check(listen(fd, spec.backlog) as number, "listen", fd);
  return fd;
}

/**
 * Accepts every connection waiting in a listener's accept queue and closes it; returns how
 * many. poll() says whether one waits, so the blocking listener is never left blocked.
 */
export function acceptAll(fd: number): number {
  let n = 0;
  for (;;) {
    const pfd = Buffer.alloc(8);
    pfd.writeInt32LE(fd, 0);
    pfd.writeInt16LE(POLLIN, 4);
    const ready = poll(pfd, 1, 0) as number;
    check(ready, "poll");
    if (ready === 0) return n;
    const c = accept4(fd, null, null, SOCK_CLOEXEC | SOCK_NONBLOCK) as number;
    if (c < 0 && errno() === EAGAIN) return n;
    check(c, "accept4");
    close(c);
    n++;
  }
}

import { closeSync, openSync } from "node:fs";
import { SynqError } from "../errors.js";
import { errnoName, koffi } from "../ffi/koffi.js";
import { AF_INET } from "../net/inet.js";
import { HOST_LE, SOCK_DIAG_BY_FAMILY } from "../parsers/inet-diag.js";

/**
 * Reads TCP sockets straight from the kernel over NETLINK_SOCK_DIAG (what `ss` does inside),
 * synchronously, in the calling thread's network namespace (see withNetns). Bytes go to the
 * caller; parsing is elsewhere.
 */

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_SOCK_DIAG = 4;
const IPPROTO_TCP = 6;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const CLONE_NEWNET = 0x40000000;
const EINTR = 4;
const EPROTONOSUPPORT = 93;
const EAFNOSUPPORT = 97;
/** The kernel fills a dump datagram up to 32 KiB (netlink_recvmsg caps max_recvmsg_len). */
const RECV_BUFFER = 64 * 1024;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  close(fd: number): number;
  setns(fd: number, nstype: number): number;
  if_indextoname(index: number, name: Uint8Array): string | null;
}

let libc: Libc | null = null;

function bindLibc(): Libc {
  if (libc) return libc;
  let ffi: ReturnType<typeof koffi>;
  try {
    ffi = koffi();
  } catch (err) {
    throw new SockDiagUnavailable((err as Error).message);
  }
  const lib = ffi.load("libc.so.6");
  libc = {
    socket: lib.func("int socket(int, int, int)"),
    send: lib.func("long send(int, const uint8_t *, size_t, int)"),
    recv: lib.func("long recv(int, void *, size_t, int)"),
    close: lib.func("int close(int)"),
    setns: lib.func("int setns(int, int)"),
    if_indextoname: lib.func("const char *if_indextoname(unsigned int, _Out_ uint8_t *)"),
  } as Libc;
  return libc;
}

/** A failed system call, with its errno kept for callers that tell causes apart. */
export class SyscallError extends SynqError {
  constructor(
    readonly call: string,
    readonly errno: number,
    message: string,
    fix?: string,
  ) {
    super(errno === 1 || errno === 13 ? "permission" : "systemRead", message, fix);
    this.name = "SyscallError";
  }
}

/** sock_diag cannot be used here (no FFI, no netlink diag, no tcp_diag): `ss` can still read. */
export class SockDiagUnavailable extends SynqError {
  constructor(reason: string) {
    super("kernelUnsupported", `sock_diag is unavailable: ${reason}`);
    this.name = "SockDiagUnavailable";
  }
}

function lastErrno(): number {
  return koffi().errno();
}

/** A descriptor of the namespace synq started in, to come back to after withNetns(). */
let homeFd: number | null = null;

function setnsOrThrow(fd: number, name: string): void {
  if (bindLibc().setns(fd, CLONE_NEWNET) === 0) return;
  const errno = lastErrno();
  throw new SyscallError(
    "setns",
    errno,
    `entering network namespace ${name} was refused (setns: ${errnoName(errno)})`,
    errno === 1 ? "run synq as root (entering a namespace needs CAP_SYS_ADMIN)" : undefined,
  );
}

/**
 * Runs `fn` with this thread inside the network namespace at `path` (null: where it is), then
 * comes back. Sockets and /proc/thread-self/net files opened meanwhile stay bound to that
 * namespace. setns(CLONE_NEWNET) moves only the calling thread, and `fn` is synchronous, so no
 * other JavaScript runs in the wrong namespace; node's own threads never move.
 */
export function withNetns<T>(path: string | null, name: string, fn: () => T): T {
  if (path === null) return fn();
  homeFd ??= openSync("/proc/thread-self/ns/net", "r");
  const fd = openSync(path, "r");
  try {
    setnsOrThrow(fd, name);
  } finally {
    closeSync(fd);
  }
  try {
    return fn();
  } finally {
    setnsOrThrow(homeFd, "of synq itself");
  }
}

/** `struct nlmsghdr` + `struct inet_diag_req_v2` asking for a dump of TCP sockets. */
export function inetDiagRequest(family: number, states: number, ext: number): Uint8Array {
  const req = new Uint8Array(16 + 56);
  const view = new DataView(req.buffer);
  view.setUint32(0, req.length, HOST_LE); // nlmsg_len
  view.setUint16(4, SOCK_DIAG_BY_FAMILY, HOST_LE);
  view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, HOST_LE);
  view.setUint32(8, 1, HOST_LE); // nlmsg_seq
  req[16] = family;
  req[17] = IPPROTO_TCP;
  req[18] = ext;
  view.setUint32(20, states, HOST_LE);
  return req;
}

/**
 * Dumps the TCP sockets of one address family in `states` (a bit per TCP state) in the calling
 * thread's namespace, handing each datagram to `onDatagram` until it returns true (dump done).
 * A kernel without sock_diag for TCP fails with SockDiagUnavailable.
 */
export function dumpTcpSockets(
  family: number,
  states: number,
  ext: number,
  onDatagram: (bytes: Uint8Array, length: number) => boolean,
): void {
  const c = bindLibc();
  const what = `sock_diag dump of ${family === AF_INET ? "IPv4" : "IPv6"} TCP sockets`;
  const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    const errno = lastErrno();
    if (errno === EPROTONOSUPPORT || errno === EAFNOSUPPORT) {
      throw new SockDiagUnavailable(`${what}: socket: ${errnoName(errno)}`);
    }
    throw new SyscallError("socket", errno, `${what}: socket: ${errnoName(errno)}`);
  }
  try {
    const req = inetDiagRequest(family, states, ext);
    if (c.send(fd, req, req.length, 0) !== req.length) {
      const errno = lastErrno();
      throw new SyscallError("send", errno, `${what}: send: ${errnoName(errno)}`);
    }
    const buf = new Uint8Array(RECV_BUFFER);
    for (;;) {
      const n = c.recv(fd, buf, buf.length, 0);
      if (n < 0) {
        const errno = lastErrno();
        if (errno === EINTR) continue;
        throw new SyscallError("recv", errno, `${what}: recv: ${errnoName(errno)}`);
      }
      if (n === 0 || onDatagram(buf, n)) return;
    }
  } finally {
    c.close(fd);
  }
}

/** The name of interface `index` in the calling thread's namespace, as `ss` prints it. */
export function interfaceName(index: number): string {
  const buf = new Uint8Array(16);
  const name = bindLibc().if_indextoname(index, buf);
  return name ?? `if${index}`;
}

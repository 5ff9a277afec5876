import { SynqError } from "../errors.js";
import { errnoName } from "../ffi/koffi.js";
import { type Libc, lastErrno, libc, syscallError } from "../ffi/libc.js";
import { HOST_LE } from "../net/byte-order.js";
import { AF_INET } from "../net/inet.js";
import { SOCK_DIAG_BY_FAMILY } from "../parsers/inet-diag.js";
import { Errno } from "./errno.js";

/**
 * Reads TCP sockets straight from the kernel over NETLINK_SOCK_DIAG (what `ss` does inside),
 * synchronously, in the calling thread's network namespace (see enter-netns.ts). Bytes go to the
 * caller; parsing is elsewhere.
 */

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_SOCK_DIAG = 4;
const IPPROTO_TCP = 6;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
/** The kernel fills a dump datagram up to 32 KiB (netlink_recvmsg caps max_recvmsg_len). */
const RECV_BUFFER = 64 * 1024;

/**
 * libc, or SockDiagUnavailable when the FFI cannot load (then `ss` can still read). A place
 * to load it from that synq refuses (the single executable's cache, see src/release/) is no
 * reason to fall back: that error is the user's to see.
 */
function bindLibc(): Libc {
  try {
    return libc();
  } catch (err) {
    if (err instanceof SynqError && err.kind !== "missingTool") throw err;
    throw new SockDiagUnavailable((err as Error).message);
  }
}

/** sock_diag cannot be used here (no FFI, no netlink diag, no tcp_diag): `ss` can still read. */
export class SockDiagUnavailable extends SynqError {
  constructor(reason: string) {
    super("kernelUnsupported", `sock_diag is unavailable: ${reason}`);
    this.name = "SockDiagUnavailable";
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
    if (errno === Errno.EPROTONOSUPPORT || errno === Errno.EAFNOSUPPORT) {
      throw new SockDiagUnavailable(`${what}: socket: ${errnoName(errno)}`);
    }
    throw syscallError(errno, `${what}: socket: ${errnoName(errno)}`);
  }
  try {
    const req = inetDiagRequest(family, states, ext);
    if (c.send(fd, req, req.length, 0) !== req.length) {
      const errno = lastErrno();
      throw syscallError(errno, `${what}: send: ${errnoName(errno)}`);
    }
    const buf = new Uint8Array(RECV_BUFFER);
    for (;;) {
      const n = c.recv(fd, buf, buf.length, 0);
      if (n < 0) {
        const errno = lastErrno();
        if (errno === Errno.EINTR) continue;
        throw syscallError(errno, `${what}: recv: ${errnoName(errno)}`);
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

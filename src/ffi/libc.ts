import { SynqError } from "../errors.js";
import { isPermissionErrno } from "../system/errno.js";
import { koffi } from "./koffi.js";

/** The libc functions synq calls, with libc's names and C signatures. */
export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  close(fd: number): number;
  setns(fd: number, nstype: number): number;
  if_indextoname(index: number, name: Uint8Array): string | null;
  open(path: string, flags: number): number;
  /** `path` as a string or NUL-terminated bytes. */
  readlinkat(dirfd: number, path: string | Uint8Array, buf: Uint8Array, size: number): number;
  /** Null where libc has no wrapper for it (glibc before 2.30). */
  getdents64: ((fd: number, buf: Uint8Array, size: number) => number) | null;
  /** One `struct pollfd`; `revents` is filled in. */
  poll(fds: PollFd, nfds: number, timeout: number): number;
}

/** `struct pollfd` (poll.h). */
export interface PollFd {
  fd: number;
  events: number;
  revents: number;
}

/** `lib.func(signature)`, or null when libc does not have that function. */
function optionalFunc(lib: ReturnType<ReturnType<typeof koffi>["load"]>, signature: string) {
  try {
    return lib.func(signature);
  } catch {
    return null;
  }
}

let bound: Libc | null = null;

/** libc through koffi, bound on first use; koffi's own error when the FFI cannot load. */
export function libc(): Libc {
  if (bound) return bound;
  const k = koffi();
  k.struct("synq_pollfd", { fd: "int", events: "short", revents: "short" });
  const lib = k.load("libc.so.6");
  bound = {
    socket: lib.func("int socket(int, int, int)"),
    send: lib.func("long send(int, const uint8_t *, size_t, int)"),
    recv: lib.func("long recv(int, void *, size_t, int)"),
    close: lib.func("int close(int)"),
    setns: lib.func("int setns(int, int)"),
    if_indextoname: lib.func("const char *if_indextoname(unsigned int, _Out_ uint8_t *)"),
    open: lib.func("int open(const char *, int)"),
    readlinkat: lib.func("long readlinkat(int, const char *, void *, size_t)"),
    getdents64: optionalFunc(lib, "long getdents64(int, void *, size_t)"),
    poll: lib.func("int poll(_Inout_ synq_pollfd *fds, unsigned long nfds, int timeout)"),
  } as Libc;
  return bound;
}

/** errno of the last failed libc call on this thread. */
export function lastErrno(): number {
  return koffi().errno();
}

/** A failed system call as a one-line error: permission for EPERM/EACCES, else a failed read. */
export function syscallError(errno: number, message: string, fix?: string): SynqError {
  return new SynqError(isPermissionErrno(errno) ? "permission" : "systemRead", message, fix);
}

/**
 * Noticing that the reader of our output went away (`synq trace-drops | head` after head
 * exits) without waiting for the next write to fail: poll(2) reports POLLERR on the write end
 * of a pipe that has no reader left. Checked on every drain of the ring buffer.
 */
import { fstatSync } from "node:fs";
import { libc } from "../ffi/libc.js";

const POLLERR = 0x008;
const POLLHUP = 0x010;

/** Whether `fd` is a pipe or socket whose other end is closed (false for files and ttys). */
export function readerGone(fd: number): boolean {
  const pfd = { fd, events: 0, revents: 0 };
  if (libc().poll(pfd, 1, 0) < 0) return false;
  return (pfd.revents & (POLLERR | POLLHUP)) !== 0;
}

/** Whether `fd` is a FIFO or socket, where a reader can go away. */
export function isPipe(fd: number): boolean {
  try {
    const s = fstatSync(fd);
    return s.isFIFO() || s.isSocket();
  } catch {
    return false;
  }
}

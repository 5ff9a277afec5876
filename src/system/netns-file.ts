// Only light modules here: early-start.ts loads this before oclif.
import { closeSync, constants, fstatSync, openSync, readlinkSync, statSync } from "node:fs";
import { SynqError } from "../errors.js";

/** What a path given as a network namespace turned out to be. */
export type NetnsFileState = "netns" | "missing" | "denied" | "other";

/** The device of nsfs, the filesystem every namespace file lives on (bind mounts too). */
let nsfsDev: number | undefined;

/**
 * Whether `path` is a network namespace file (/run/netns/NAME, /proc/PID/ns/net): opened
 * without blocking (a FIFO would), it must be on nsfs, and not a namespace of another type
 * (their descriptors link to `mnt:[inode]` and the like; a bind mount links to its path).
 */
export function netnsFileState(path: string): NetnsFileState {
  let fd: number;
  try {
    fd = openNetnsFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "missing";
    if (code === "EACCES" || code === "EPERM") return "denied";
    return "other";
  }
  try {
    nsfsDev ??= statSync("/proc/thread-self/ns/net").dev;
    if (fstatSync(fd).dev !== nsfsDev) return "other";
    const type = /^(\w+):\[\d+\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    return type === undefined || type === "net" ? "netns" : "other";
  } catch {
    return "other";
  } finally {
    closeSync(fd);
  }
}

/** Opens a namespace file read-only, never blocking (a path given by the user may be a FIFO). */
export function openNetnsFile(path: string): number {
  return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

/** The error for a path that exists but is no network namespace (a file, another namespace). */
export function notNetnsFile(path: string): SynqError {
  return new SynqError(
    "badInput",
    `${path} is not a network namespace file`,
    "give a name from `ip netns list` or a path like /proc/PID/ns/net",
  );
}

/**
 * A namespace that was there when synq resolved or listed it and is gone when synq enters it
 * (`ip netns delete`, the last process of a container exited). `--all-netns` skips it.
 */
export class NetnsGoneError extends SynqError {
  readonly netns: string;

  constructor(netns: string) {
    super(
      "badInput",
      netns.startsWith("/")
        ? `network namespace file ${netns} does not exist (it went away while synq read it)`
        : `network namespace "${netns}" does not exist (it went away while synq read it)`,
      "list the named namespaces with `ip netns list`",
    );
    this.netns = netns;
  }
}

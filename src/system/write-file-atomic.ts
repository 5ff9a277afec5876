import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { SynqError } from "../errors.js";

/**
 * Replaces `path` with `text` so that a reader sees the old file or the new one, never a part:
 * written to a temporary file in the same directory (rename is atomic only within one file
 * system), flushed to disk, then renamed over `path`. The temporary name does not end in
 * `.prom`, so node_exporter's textfile collector never reads it. It is removed on failure.
 * `what` names the file in errors (`--textfile /path`).
 */
export function writeFileAtomic(path: string, text: string, what: string): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, "wx", 0o644);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw writeError(err as NodeJS.ErrnoException, what, dir);
  }
  syncDirectory(dir);
}

/**
 * Fails as writeFileAtomic would when `path` cannot be written (its directory missing or not
 * writable, or `path` a directory), so that a long collection is not made in vain; the write
 * still reports what changes in between.
 */
export function checkWritable(path: string, what: string): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory())
      throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    accessSync(dir, constants.W_OK);
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    }
  } catch (err) {
    throw writeError(err as NodeJS.ErrnoException, what, dir);
  }
}

/** Makes the rename itself durable; a file system that cannot sync a directory is left be. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* the file is in place; only its survival of a power cut is less certain */
  }
}

/** A failed write as one line: what went wrong and what to do. */
function writeError(err: NodeJS.ErrnoException, what: string, dir: string): SynqError {
  switch (err.code) {
    case "ENOENT":
    case "ENOTDIR":
      return new SynqError(
        "badInput",
        `cannot write ${what}: ${err.code === "ENOENT" ? `directory ${dir} does not exist` : `${dir} is not a directory`}`,
        `create it (mkdir -p ${dir}) or give a path in an existing directory`,
      );
    case "EISDIR":
      return new SynqError(
        "badInput",
        `cannot write ${what}: it is a directory`,
        "give a file path such as DIR/synq.prom",
      );
    case "EACCES":
    case "EPERM":
      return new SynqError(
        "permission",
        `cannot write ${what}: writing to ${dir} was refused (${err.code})`,
        "run synq as a user that may write there, or give another directory",
      );
    default:
      return new SynqError(
        "systemRead",
        `cannot write ${what}: ${err.message}`,
        "check the file system of that directory (space, read-only mount), or give another directory",
      );
  }
}

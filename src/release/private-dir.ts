// The single executable's cache of native pieces must be a directory no other user can write
// to or swap: synq runs as root and would load a shared object another user placed there.
import { existsSync, lstatSync, mkdirSync, realpathSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { SynqError } from "../errors.js";

const FIX = "set SYNQ_CACHE_DIR to a directory of your own (mode 0700)";

/** Why a directory on the way to the cache is unsafe, or null when it is safe. */
export function unsafeAncestor(stats: Stats, uid: number): string | null {
  if (stats.uid !== uid && stats.uid !== 0) return `is owned by uid ${stats.uid}`;
  const writableByOthers = (stats.mode & 0o022) !== 0;
  const sticky = (stats.mode & 0o1000) !== 0;
  if (writableByOthers && !sticky) return "is writable by other users and not sticky";
  return null;
}

/** Why the cache directory itself is unsafe, or null when it is one of the user's own. */
export function unsafeCacheDir(stats: Stats, uid: number): string | null {
  if (stats.isSymbolicLink()) return "is a symbolic link";
  if (!stats.isDirectory()) return "is not a directory";
  if (stats.uid !== uid) return `is owned by uid ${stats.uid}, not ${uid}`;
  if ((stats.mode & 0o077) !== 0)
    return `has mode ${(stats.mode & 0o7777).toString(8).padStart(4, "0")}, not 0700`;
  return null;
}

/**
 * Makes `dir` (and any missing parents, mode 0700) and checks that it belongs to `uid` with
 * mode 0700 and that no directory above it can be written by another user, sticky ones such
 * as /tmp excepted (there others cannot rename or remove what is not theirs). Returns its
 * real path; a SynqError naming the directory and the reason otherwise.
 */
export function ensurePrivateDir(dir: string, uid: number): string {
  const path = resolve(dir);
  // The directories above are checked before anything is made in them, and again after.
  let existing = dirname(path);
  while (!existsSync(existing)) existing = dirname(existing);
  checkFromUp(realpathSync(existing), uid);
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new SynqError("systemRead", `cannot create the cache directory ${path} (${code})`, FIX);
  }
  const own = unsafeCacheDir(lstatSync(path), uid);
  if (own) throw new SynqError("permission", `the cache directory ${path} ${own}`, FIX);
  const real = realpathSync(path);
  checkFromUp(dirname(real), uid);
  return real;
}

/** Throws unless `dir` and every directory above it are safe (unsafeAncestor). */
function checkFromUp(dir: string, uid: number): void {
  for (let up = dir; ; up = dirname(up)) {
    const why = unsafeAncestor(lstatSync(up), uid);
    if (why) throw new SynqError("permission", `${up}, above the cache directory, ${why}`, FIX);
    if (up === dirname(up)) break;
  }
}

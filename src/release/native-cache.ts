// Where the single executable's native pieces live on disk: an installed lib directory
// (the .deb's /usr/lib/synq), SYNQ_LIB_DIR, or a private cache it extracts them into once.
import { existsSync, lstatSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { SynqError } from "../errors.js";
import { ensurePrivateDir, unsafeCacheDir } from "./private-dir.js";

/** The pieces the executable carries: file names, and a digest of their names and bytes. */
export interface NativeManifest {
  /** sha256 (hex) of every file's name and content: the cache subdirectory's name. */
  key: string;
  files: readonly string[];
}

/** Whether `dir` holds every piece. */
function holdsAll(dir: string, files: readonly string[]): boolean {
  return files.every((file) => existsSync(join(dir, file)));
}

/** `<dirname(realpath(executable))>/../lib/synq`: where a package installs the pieces. */
export function installedLibDir(realExecutable: string): string {
  return resolve(dirname(realExecutable), "..", "lib", "synq");
}

/**
 * The cache's base directory: SYNQ_CACHE_DIR, else <tmpdir>/synq-<uid> ($TMPDIR, else /tmp).
 * Not ~/.cache: synq opens nothing under HOME (an unreadable HOME must not break it), and
 * under sudo HOME can still be the invoking user's, a directory root must not load code from.
 */
export function cacheBase(env: NodeJS.ProcessEnv, uid: number): string {
  if (env.SYNQ_CACHE_DIR) return resolve(env.SYNQ_CACHE_DIR);
  return join(tmpdir(), `synq-${uid}`);
}

/**
 * The directory to load the pieces from: SYNQ_LIB_DIR when set (it must hold them all), the
 * installed lib directory when it holds them all, else `<cache base>/<key>`, extracted there
 * with `read(file)` on first use (into a temporary directory renamed into place, so a
 * concurrent run sees all of it or nothing).
 */
export function nativeDir(
  manifest: NativeManifest,
  read: (file: string) => Uint8Array,
  env: NodeJS.ProcessEnv,
  realExecutable: string,
): string {
  if (env.SYNQ_LIB_DIR) {
    const dir = resolve(env.SYNQ_LIB_DIR);
    if (!holdsAll(dir, manifest.files)) {
      throw new SynqError(
        "badInput",
        `SYNQ_LIB_DIR=${dir} does not hold ${manifest.files.join(", ")}`,
        "point it at the release's lib directory, or unset it",
      );
    }
    return dir;
  }
  const installed = installedLibDir(realExecutable);
  if (holdsAll(installed, manifest.files)) return installed;
  return extracted(manifest, read, env);
}

function extracted(
  manifest: NativeManifest,
  read: (file: string) => Uint8Array,
  env: NodeJS.ProcessEnv,
): string {
  const uid = process.getuid?.() ?? 0;
  const base = ensurePrivateDir(cacheBase(env, uid), uid);
  const dir = join(base, manifest.key);
  if (existsSync(dir)) {
    checked(dir, uid);
    if (holdsAll(dir, manifest.files)) return dir;
    // Pieces removed behind synq's back (a tmp cleaner): the directory is the user's own.
    rmSync(dir, { recursive: true, force: true });
  }
  let tmp: string | null = null;
  try {
    tmp = mkdtempSync(join(base, ".extract-"));
    for (const file of manifest.files) {
      writeFileSync(join(tmp, file), read(file), { mode: file.endsWith(".o") ? 0o400 : 0o500 });
    }
    renameSync(tmp, dir);
  } catch (err) {
    // ENOTEMPTY/EEXIST: another synq extracted the same pieces first, and theirs are as good.
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    if (code !== "ENOTEMPTY" && code !== "EEXIST") {
      throw new SynqError(
        "systemRead",
        `cannot extract synq's native pieces into ${base} (${code})`,
        "free space there, or set SYNQ_CACHE_DIR to a directory of your own (mode 0700)",
      );
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  checked(dir, uid);
  if (!holdsAll(dir, manifest.files)) {
    throw new SynqError(
      "missingTool",
      `the cache directory ${dir} lacks some of ${manifest.files.join(", ")}`,
      "remove it; synq extracts its native pieces again",
    );
  }
  return dir;
}

/** Throws unless a cache subdirectory is the user's own, mode 0700. */
function checked(dir: string, uid: number): void {
  const why = unsafeCacheDir(lstatSync(dir), uid);
  if (why) {
    throw new SynqError(
      "permission",
      `the cache directory ${dir} ${why}`,
      "remove it; synq extracts its native pieces again",
    );
  }
}

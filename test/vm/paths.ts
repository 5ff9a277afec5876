import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root directory. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** This harness's own directory (test/vm). */
export const harnessDir = fileURLToPath(new URL(".", import.meta.url));

/** Where downloaded kernels live between runs: $SYNQ_VM_CACHE or <repo>/.vm-cache. */
export function cacheDir(): string {
  return process.env.SYNQ_VM_CACHE ?? join(repoRoot, ".vm-cache");
}

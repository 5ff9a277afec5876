import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { SynqError } from "../errors.js";

/** Where procfs is mounted; tests point it at a fixture tree. */
export const DEFAULT_PROC_ROOT = "/proc";

/**
 * Reads a file under the proc root. Returns null when it does not exist (a counter file or
 * sysctl this kernel lacks); any other failure is a one-line error naming the file.
 */
export async function readProcFile(procRoot: string, relPath: string): Promise<string | null> {
  const path = join(procRoot, relPath);
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT") return null;
    if (code === "EACCES" || code === "EPERM") {
      throw new SynqError(
        "permission",
        `cannot read ${path}: permission denied`,
        "run synq as root",
      );
    }
    throw new SynqError("systemRead", `cannot read ${path}: ${(err as Error).message}`);
  }
}

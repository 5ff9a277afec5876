import { createRequire } from "node:module";
import { SynqError } from "../errors.js";

type Koffi = typeof import("koffi");
let koffiModule: Koffi | null = null;

/**
 * koffi, loaded on first use rather than imported: commands that never call C (and the bundled
 * CLI, where a static import would load it for every command) skip its native addon.
 */
export function koffi(): Koffi {
  if (!koffiModule) {
    try {
      koffiModule = createRequire(import.meta.url)("koffi") as Koffi;
    } catch (err) {
      throw new SynqError(
        "missingTool",
        `the koffi FFI module cannot be loaded (${(err as Error).message.split("\n")[0]})`,
        "reinstall synq (npm install) on a platform koffi supports",
      );
    }
  }
  return koffiModule;
}

/** errno names for messages: 1 → "EPERM". */
export function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(koffi().os.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}

import { createRequire } from "node:module";
import { SynqError } from "../errors.js";
import { koffiAddonFile } from "../native-pieces.js";

type Koffi = typeof import("koffi");
let koffiModule: Koffi | null = null;

/**
 * koffi's native addon for this platform, required directly: koffi's index.js also loads its
 * installer's helpers (https, zlib, crypto), which cost `synq status` ~15 ms of start-up. Its
 * wrapper only adds deprecated aliases. Null where the addon is not at the usual place (musl,
 * armhf...): index.js then finds the right one.
 */
function nativeAddon(require: NodeJS.Require): Koffi | null {
  try {
    return require(`koffi/build/koffi/${process.platform}_${process.arch}/koffi.node`) as Koffi;
  } catch {
    return null;
  }
}

function fromNodeModules(require: NodeJS.Require): Koffi {
  return nativeAddon(require) ?? (require("koffi") as Koffi);
}

/** The addon at a path of its own (the single executable's; see src/release/). */
function addonAt(file: string): Koffi {
  const module = { exports: {} };
  process.dlopen(module, file);
  return module.exports as Koffi;
}

/**
 * koffi, loaded on first use rather than imported: commands that never call C (and the bundled
 * CLI, where a static import would load it for every command) skip its native addon.
 */
export function koffi(): Koffi {
  if (!koffiModule) {
    try {
      const file = koffiAddonFile();
      koffiModule = file ? addonAt(file) : fromNodeModules(createRequire(import.meta.url));
    } catch (err) {
      if (err instanceof SynqError) throw err; // where the pieces are, refused (src/release/)
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

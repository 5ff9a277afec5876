// Changes to a package's sources, made as esbuild loads them (node_modules stays untouched):
// each replacement must find its text once, or the build fails naming the file, rather than
// bundling the package without the change.
import { readFileSync } from "node:fs";

/** `source` with each [before, after] replaced once; throws naming `file` if one is missing. */
export function patchedSource(source, file, replacements) {
  let out = source;
  for (const [before, after] of replacements) {
    if (!out.includes(before)) throw new Error(`${file}: changed, cannot patch:\n${before}`);
    out = out.replace(before, after);
  }
  return out;
}

/**
 * Registers, on esbuild's plugin build `b`, each patch: the files `file` matches get its
 * `replacements` as they are loaded.
 */
export function loadPatched(b, patches) {
  for (const { file, replacements } of patches) {
    b.onLoad({ filter: file }, (args) => ({
      contents: patchedSource(readFileSync(args.path, "utf8"), args.path, replacements),
      loader: "js",
    }));
  }
}

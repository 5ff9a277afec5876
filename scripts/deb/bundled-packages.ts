// The npm packages whose code ends up in the executable: the inputs of an esbuild bundle of
// the executable (the metafile scripts/release.mjs writes into release/.build/), plus koffi,
// whose native addon ships beside it. Dev dependencies and code esbuild left out do not count.
import { readFileSync } from "node:fs";
import type { Metafile } from "esbuild";

/** node_modules/<name> (or a nested one) of every input path that lies in a package. */
export function packageDirs(inputs: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m?.[1]) dirs.add(m[1]);
  }
  return [...dirs].sort();
}

/** Package directories bundled into the executable, relative to the repository, koffi included. */
export function bundledPackageDirs(metafilePath: string): string[] {
  const metafile = JSON.parse(readFileSync(metafilePath, "utf8")) as Metafile;
  return packageDirs([...Object.keys(metafile.inputs), "node_modules/koffi/index.js"]);
}

// The npm packages whose code ends up in the executable: the inputs of an esbuild bundle of
// synq's entry points (scripts/build.mjs's, or the metafile a release build wrote), plus koffi,
// whose native addon ships beside it. Dev dependencies and code esbuild left out do not count.
import { readFileSync } from "node:fs";
import { build, type Metafile } from "esbuild";

/** node_modules/<name> (or a nested one) of every input path that lies in a package. */
export function packageDirs(inputs: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m?.[1]) dirs.add(m[1]);
  }
  return [...dirs].sort();
}

/** The metafile of the bundle scripts/build.mjs makes (nothing written to disk). */
async function bundleMetafile(root: string): Promise<Metafile> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["src/cli.ts", "src/index.ts", "src/early-start.ts", "src/owner-scan-worker.ts"],
    bundle: true,
    splitting: true,
    outdir: "dist.metafile",
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["koffi", "typescript"],
    write: false,
    metafile: true,
    logLevel: "error",
  });
  return result.metafile;
}

/** Package directories bundled into the executable, relative to `root`, koffi included. */
export async function bundledPackageDirs(root: string, metafilePath?: string): Promise<string[]> {
  const metafile: Metafile = metafilePath
    ? (JSON.parse(readFileSync(metafilePath, "utf8")) as Metafile)
    : await bundleMetafile(root);
  return packageDirs([...Object.keys(metafile.inputs), "node_modules/koffi/index.js"]);
}

// `npm run build`: type-checks src/ and bundles it into dist/, which bin/run.js runs.
//
// A Node script with esbuild's JavaScript API rather than a shell one-liner: each option sits
// beside the comment that says why it is there, the banner needs no shell quoting, and the
// start-up work (scripts/oclif-start-up.mjs, scripts/bundle-wrappers.mjs) runs as a plugin
// and on the files written.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { shareWrapperShapes } from "./bundle-wrappers.mjs";
import { oclifStartUp } from "./oclif-start-up.mjs";

process.chdir(fileURLToPath(new URL("..", import.meta.url)));

// The bundle is built into dist.next and replaces dist/ only once the type check and the
// bundling have both succeeded: a failed build leaves the last working dist/ in place (for
// bin/run.js and the CLI tests), and no chunk of an earlier build survives (chunk names carry
// content hashes, so writing over dist/ would pile up old ones). A dist.next left by an
// interrupted build is removed first.
rmSync("dist.next", { recursive: true, force: true });

// esbuild only strips types: the type check is tsc's (src/ alone; tests and benchmarks are
// checked by `npm run typecheck`).
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--noEmit"], {
  stdio: "inherit",
});

await build({
  // One entry point per file that something loads by its path:
  entryPoints: [
    "src/cli.ts", //               runCli, bundled with @oclif/core: bin/run.js imports dist/cli.js
    "src/index.ts", //             the COMMANDS list: package.json's oclif.commands.target
    "src/early-start.ts", //       imported by bin/run.js before oclif loads (status's socket reads)
    "src/owner-scan-worker.ts", // a worker thread's entry: early-start.js starts it by URL,
    //                             ./owner-scan-worker.js next to itself
    // synq watch's sampling thread (src/watch/sampler.ts finds it as dist/watch-sample-worker.js)
    { in: "src/watch/sample-worker.ts", out: "watch-sample-worker" },
  ],
  bundle: true,
  // Code shared by the entry points goes into chunks imported by each, so a module has one
  // instance however many entries use it: the socket reads early-start.js starts are handed to
  // the status command through read-sockets' module state, which a copy per entry would split.
  // Dynamic import()s (the status report, the tracer, the cookie code…) become chunks of
  // their own, loaded only by the commands that need them.
  splitting: true,
  outdir: "dist.next",
  // Chunks in dist/chunks/, named after their main module: dist/ itself holds only the entry
  // points, and a chunk in a stack trace says where it came from ([hash] keeps names unique).
  chunkNames: "chunks/[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node20", // package.json engines: node >= 20
  external: [
    // koffi is a native addon (a .node file per platform, required by a computed path in
    // src/ffi/koffi.ts): it cannot be bundled and is loaded from node_modules at run time.
    "koffi",
    // @oclif/core's tsconfig reader tries require("typescript") (for running commands from .ts
    // sources) and carries on without it; bundling it would add the whole compiler to dist/.
    "typescript",
    // blessed (synq watch) requires its widgets by computed names and reads terminfo and
    // usr/ files relative to its own directory: loaded from node_modules, like koffi. So is
    // blessed-contrib, which requires blessed itself.
    "blessed",
    "blessed-contrib",
  ],
  // What oclif costs every run before a command starts, left out (see the plugin's file).
  plugins: [oclifStartUp],
  logLevel: "warning",
  banner: {
    // Bundled CommonJS (@oclif/core and its dependencies) calls require() for Node built-ins
    // and the externals above; in an ESM bundle there is no require, and esbuild's stand-in
    // throws "Dynamic require of … is not supported". A real one made by createRequire fixes
    // that; the alias keeps it from colliding with a createRequire import in the bundle.
    js: "import { createRequire as __synqRequire } from 'node:module'; const require = __synqRequire(import.meta.url);",
  },
});

// One method name for every module wrapper (see the script's comment).
for (const file of readdirSync("dist.next", { recursive: true })) {
  if (!file.endsWith(".js")) continue;
  const path = join("dist.next", file);
  writeFileSync(path, shareWrapperShapes(readFileSync(path, "utf8")));
}

rmSync("dist", { recursive: true, force: true });
renameSync("dist.next", "dist");

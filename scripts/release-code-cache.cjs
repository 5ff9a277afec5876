// V8's code caches for the single executable's bundles, made by running them: node
// scripts/release-code-cache.cjs BUILD_DIR VENDOR..., with the pinned Node the executable is
// made of (V8 accepts a cache only from its own version and flags). Each cache is what a run
// has compiled when it exits, written beside its bundle as <file>.cache (src/release/start.ts
// compiles each bundle with it, as this does):
// - synq.cjs: `synq --help`, then `synq decode-cookie 0xa3242733` on the first run's cache,
//   each in a process of its own, their output discarded;
// - vendor/<specifier> (scripts/release-vendors.mjs): the package loaded, in a process of its
//   own, as synq's bundle first requires it.
"use strict";
const { execFileSync } = require("node:child_process");
const { readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { Script } = require("node:vm");

const RUNS = [["--help"], ["decode-cookie", "0xa3242733"]];

/** Compiles `file` of `dir` (with `cache` if given); returns [its function, its Script]. */
function compile(dir, file, cache) {
  const script = new Script(readFileSync(join(dir, file), "latin1"), {
    filename: file,
    ...(cache ? { cachedData: readFileSync(cache) } : {}),
  });
  if (cache && script.cachedDataRejected) throw new Error(`V8 rejected the code cache ${cache}`);
  return [script.runInThisContext(), script];
}

/** require() as src/release/start.ts gives it to the bundles: vendors from their files. */
function requireInBundle(dir, vendors) {
  const loaded = new Map();
  const load = (id) => {
    if (!vendors.includes(id)) return require(id);
    if (!loaded.has(id)) {
      const vendor = { exports: {} };
      loaded.set(id, vendor);
      compile(dir, `vendor/${id}`)[0](vendor.exports, load, vendor, __filename, __dirname);
    }
    return loaded.get(id).exports;
  };
  return load;
}

const run = process.env.SYNQ_CODE_CACHE_RUN;
if (run) {
  // A child: [dir, file, cache, out, ...args] (args: synq's, for synq.cjs).
  const [dir, file, cache, out, ...args] = process.argv.slice(2);
  const vendors = JSON.parse(process.env.SYNQ_CODE_CACHE_VENDORS);
  const [bundle, script] = compile(dir, file, cache);
  process.on("exit", () => writeFileSync(out, script.createCachedData()));
  const module = { exports: {} };
  process.argv = [process.argv[0], "synq", ...args];
  bundle(module.exports, requireInBundle(dir, vendors), module, __filename, __dirname);
} else {
  const [dir, ...vendors] = process.argv.slice(2);
  const child = (file, cache, out, args) =>
    execFileSync(process.execPath, [__filename, dir, file, cache, out, ...args], {
      env: {
        ...process.env,
        SYNQ_CODE_CACHE_RUN: "1",
        SYNQ_CODE_CACHE_VENDORS: JSON.stringify(vendors),
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
  let cache = "";
  for (const [i, args] of RUNS.entries()) {
    const next = join(dir, `synq.cjs.cache.${i}`);
    child("synq.cjs", cache, next, args);
    if (cache) rmSync(cache);
    cache = next;
  }
  renameSync(cache, join(dir, "synq.cjs.cache"));
  for (const vendor of vendors) {
    const file = join("vendor", vendor);
    child(file, "", join(dir, `${file}.cache`), []);
  }
}

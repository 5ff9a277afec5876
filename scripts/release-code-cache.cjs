// V8's code cache for the single executable's bundle, made by running it: node
// scripts/release-code-cache.cjs BUNDLE OUT, with the pinned Node the executable is made of
// (V8 accepts a cache only from its own version and flags). `synq --help`, then `synq
// decode-cookie 0xa3242733` on the first run's cache, each in a process of its own, their
// output discarded; what the second has compiled when it exits is the cache (see
// src/release/start.ts, which compiles the bundle with it, as this does).
"use strict";
const { execFileSync } = require("node:child_process");
const { readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { Script } = require("node:vm");

const RUNS = [["--help"], ["decode-cookie", "0xa3242733"]];

if (process.env.SYNQ_CODE_CACHE_RUN) {
  const [bundle, cache, out, ...args] = process.argv.slice(2);
  const script = new Script(readFileSync(bundle, "utf8"), {
    filename: "synq.cjs",
    ...(cache ? { cachedData: readFileSync(cache) } : {}),
  });
  if (cache && script.cachedDataRejected) throw new Error(`V8 rejected the code cache ${cache}`);
  process.on("exit", () => writeFileSync(out, script.createCachedData()));
  process.argv = [process.argv[0], "synq", ...args];
  script.runInThisContext()(exports, require, module, __filename, __dirname);
} else {
  const [bundle, out] = process.argv.slice(2);
  let cache = "";
  for (const [i, args] of RUNS.entries()) {
    const next = `${out}.${i}`;
    execFileSync(process.execPath, [__filename, bundle, cache, next, ...args], {
      env: { ...process.env, SYNQ_CODE_CACHE_RUN: "1" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (cache) rmSync(cache);
    cache = next;
  }
  renameSync(cache, out);
}

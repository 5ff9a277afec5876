// The single executable's first script (the SEA's main): compiles synq's bundle, an asset,
// with V8's code cache of a run made at build time (scripts/release-code-cache.cjs). Unlike
// the code cache Node makes for a SEA's main script, which only compiles it, that cache holds
// the functions a run calls, so they are not compiled again at every start.
import { getAsset } from "node:sea";
import { Script } from "node:vm";

/** The bundle: a function of CommonJS's module arguments (scripts/release.mjs wraps it). */
type Bundle = (
  exports: unknown,
  require: NodeJS.Require,
  module: NodeJS.Module,
  filename: string,
  dirname: string,
) => void;

const script = new Script(getAsset("synq.cjs", "utf8"), {
  filename: "synq.cjs",
  cachedData: new Uint8Array(getAsset("synq.cache")),
});
(script.runInThisContext() as Bundle)(exports, require, module, __filename, __dirname);

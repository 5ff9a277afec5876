// The single executable's first script (the SEA's main): compiles synq's bundle, an asset,
// with V8's code cache of a run made at build time (scripts/release-code-cache.cjs). Unlike
// the code cache Node makes for a SEA's main script, which only compiles it, that cache holds
// the functions a run calls, so they are not compiled again at every start.
//
// Packages that only some commands use (scripts/release-vendors.mjs) are bundles and assets of
// their own, compiled the same way when the bundle first requires one: every start would
// otherwise copy their 1.4 MB of text into a string and set up their module wrappers.
import { getRawAsset } from "node:sea";
import { Script } from "node:vm";

/** A bundle: a function of CommonJS's module arguments (scripts/release.mjs wraps each). */
type Bundle = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

/** Each vendor package's specifier, as the bundle requires it (set by scripts/release.mjs). */
declare const SYNQ_VENDORS: readonly string[];

/**
 * The bundle `name` and its code cache, assets as they lie in the executable's mapped file,
 * not copies (getAsset copies each: fresh pages at every start). Bundles are ASCII
 * (scripts/release.mjs checks), so a text is its bytes read as Latin-1, copied once into a
 * string of one byte a character, where decoding UTF-8 would scan every byte first.
 */
function compile(name: string): Bundle {
  const source = getRawAsset(name) as ArrayBuffer;
  const script = new Script(Buffer.from(source).toString("latin1"), {
    filename: name,
    cachedData: new Uint8Array(getRawAsset(`${name}.cache`) as ArrayBuffer),
  });
  return script.runInThisContext() as Bundle;
}

const vendors = new Set(SYNQ_VENDORS);
const loaded = new Map<string, { exports: unknown }>();

/** require() for the bundles: a vendor package from its asset, once; anything else from Node. */
const requireInBundle = Object.assign(
  (id: string): unknown => {
    if (!vendors.has(id)) return require(id);
    let vendor = loaded.get(id);
    if (!vendor) {
      vendor = { exports: {} };
      loaded.set(id, vendor);
      compile(`vendor/${id}`)(vendor.exports, requireInBundle, vendor, __filename, __dirname);
    }
    return vendor.exports;
  },
  { resolve: require.resolve, cache: require.cache, main: require.main },
) as unknown as NodeJS.Require;

compile("synq.cjs")(exports, requireInBundle, module, __filename, __dirname);

// `npm run release:check`: builds the release twice from this checkout and compares the builds.
// release/lib/* and SHA256SUMS's other entries must be the same bytes, and so must the
// bundles and the SEA blob, but for the code caches in the blob: V8's code cache of the SEA's
// main script (src/release/start.ts) and the <bundle>.cache assets, V8's code caches of the
// bundles (scripts/release-code-cache.cjs); V8 serializes them with the hash seed it picks at
// random for each process (see README, "Single executable"). The executables (node + blob)
// then differ only inside those. The second build is left in release/.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

process.chdir(fileURLToPath(new URL("..", import.meta.url)));

/**
 * A SEA blob (node_sea.cc's serialization) as [before the code cache, its length, after it]:
 * magic (u32), flags (u32), a kind byte, the main script's path and the main script (each a
 * u64 length and bytes), then the code cache (u64 length and bytes), then the assets.
 */
function splitBlob(blob) {
  let at = 9;
  for (let field = 0; field < 2; field++) at += 8 + Number(blob.readBigUInt64LE(at));
  const length = Number(blob.readBigUInt64LE(at));
  return [blob.subarray(0, at), length, blob.subarray(at + 8 + length)];
}

/**
 * `assets` without each of `caches` (found by its content) and the u64 length before it, which
 * differs too when two caches' lengths do.
 */
function without(assets, caches) {
  let out = assets;
  for (const [name, cache] of caches) {
    const at = out.indexOf(cache);
    if (at < 8) throw new Error(`the SEA blob does not hold ${name}`);
    out = Buffer.concat([out.subarray(0, at - 8), out.subarray(at + cache.length)]);
  }
  return out;
}

function build() {
  // The executable and lib/ only: the .deb (npm run release's second step) holds the same
  // executable, so it differs as the executable does; package.json's release:check builds it
  // once afterwards.
  execFileSync(process.execPath, ["scripts/release.mjs"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

const first = mkdtempSync(join(tmpdir(), "synq-release-"));
try {
  build();
  cpSync("release", first, { recursive: true });
  build();
  const sums = (dir) => readFileSync(join(dir, "SHA256SUMS"), "utf8").trimEnd().split("\n");
  const [a, b] = [sums(first), sums("release")];
  const problems = [];
  // Every asset the blob holds (the native pieces, the bundles, their caches) by its file.
  const { assets } = JSON.parse(readFileSync(join("release", ".build/sea-config.json"), "utf8"));
  const inBuild = (dir, file) => join(dir, file.replace(/^release(\.next)?\//, ""));
  const caches = Object.entries(assets).filter(([name]) => name.endsWith(".cache"));
  for (const file of [
    "release/.build/start.cjs",
    ...Object.entries(assets)
      .filter(([name]) => !name.endsWith(".cache"))
      .map(([, file]) => file),
    ...a.map((line) => `release/${line.split("  ")[1]}`),
  ]) {
    if (/\/synq-[^/]*$/.test(file) || file.endsWith(".deb")) continue;
    if (!readFileSync(inBuild(first, file)).equals(readFileSync(inBuild("release", file))))
      problems.push(`${file} differs`);
  }
  const [headA, cacheA, assetsA] = splitBlob(readFileSync(join(first, ".build/sea.blob")));
  const [headB, cacheB, assetsB] = splitBlob(readFileSync(join("release", ".build/sea.blob")));
  const cachesOf = (dir) => caches.map(([name, file]) => [name, readFileSync(inBuild(dir, file))]);
  const [bundleCachesA, bundleCachesB] = [cachesOf(first), cachesOf("release")];
  if (!headA.equals(headB)) problems.push("the SEA blobs differ before V8's code cache");
  if (!without(assetsA, bundleCachesA).equals(without(assetsB, bundleCachesB)))
    problems.push("the SEA blobs' assets differ outside the bundles' code caches");
  if (problems.length) {
    process.stderr.write(`release-reproducible: ${problems.join("; ")}\n`);
    process.exit(1);
  }
  const same = a[0] === b[0];
  const total = (list) => list.reduce((sum, [, cache]) => sum + cache.length, 0);
  process.stdout.write(
    "release-reproducible: lib/, the bundles, start.cjs and the SEA blob outside its code " +
      `caches are the same bytes; start.cjs's code caches ${cacheA} and ${cacheB} bytes, the ` +
      `bundles' ${caches.length} (<bundle>.cache) ${total(bundleCachesA)} and ` +
      `${total(bundleCachesB)} bytes; executables ${same ? "identical" : "differ in the code caches only"}\n`,
  );
} finally {
  rmSync(first, { recursive: true, force: true });
}

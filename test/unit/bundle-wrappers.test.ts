/**
 * scripts/bundle-wrappers.mjs renames the method of every module wrapper esbuild writes, in
 * minified and readable output alike, and the bundle still loads each module once, on demand.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a build script, plain JavaScript without types
import { shareWrapperShapes, wrapperCounts } from "../../scripts/bundle-wrappers.mjs";

const dir = mkdtempSync(join(tmpdir(), "synq-wrappers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A CommonJS module (wrapped in __commonJS) and an ES module loaded by import() (in __esm),
// each counting how often it ran, and a string that looks like a wrapper but is data.
writeFileSync(join(dir, "counter.cjs"), "globalThis.ran.cjs++; module.exports = { n: 41 };");
writeFileSync(join(dir, "later.ts"), 'globalThis.ran.esm++; export const word = "later";');
writeFileSync(
  join(dir, "main.ts"),
  `import counter from "./counter.cjs";
export const text = '__commonJS({"not/a/module.js"(';
export async function run() {
  const { word } = await import("./later.ts");
  const again = await import("./later.ts");
  return [counter.n + 1, word, again.word];
}`,
);

async function bundle(minify: boolean): Promise<string> {
  const result = await build({
    entryPoints: [join(dir, "main.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    minifyWhitespace: minify,
    minifySyntax: minify,
    supported: { "dynamic-import": false },
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

describe.each([false, true])("esbuild's wrappers (minified as the bundles are: %s)", (minify) => {
  it("all take one method name, and each module still runs once, when first asked for", async () => {
    const text = await bundle(minify);
    expect(wrapperCounts(text)).toEqual({ wrappers: 2, named: 2 });
    const shared = shareWrapperShapes(text);
    expect(wrapperCounts(shared)).toEqual({ wrappers: 2, named: 0 });

    const ran = { cjs: 0, esm: 0 };
    const module = { exports: {} as { run: () => Promise<unknown[]>; text: string } };
    runInNewContext(shared, { module, exports: module.exports, require, globalThis: { ran } });
    expect(ran).toEqual({ cjs: 1, esm: 0 });
    expect(await module.exports.run()).toEqual([42, "later", "later"]);
    expect(ran).toEqual({ cjs: 1, esm: 1 });
    expect(module.exports.text).toBe('__commonJS({"not/a/module.js"(');
  });
});

// Packages the single executable carries as bundles of their own (assets vendor/<specifier>,
// loaded by src/release/start.ts when synq's bundle first requires one), not inside synq's
// bundle: only some commands use them, and every start copies the whole bundle's text into a
// string and sets up each module it holds. zod's namespaces alone are ~1,000 getters made at
// every start. Each entry is the specifier as src/ imports it.
export const VENDORS = [
  "zod", //                                        the JSON models (status, trace, cookie, export)
  "execa", //                                      running ss, nstat, tc, ip
  "yaml", //                                       export's --web-config
  "bcryptjs", //                                   export's basic auth
  "blessed", //                                    watch's terminal
  "blessed-contrib/lib/widget/charts/line.js", //  watch's chart (requires blessed: the same one)
];

/**
 * Bundles every vendor with esbuild's options `common` (CommonJS, for Node): the package's
 * exports as module.exports, with the other vendors left to require(), so one blessed serves
 * both watch and the chart. Returns [specifier, esbuild's result] pairs.
 */
export async function buildVendors(build, common) {
  return Promise.all(
    VENDORS.map(async (specifier) => [
      specifier,
      await build({
        ...common,
        stdin: {
          contents: `module.exports = require(${JSON.stringify(specifier)});`,
          resolveDir: process.cwd(),
          loader: "js",
          sourcefile: `vendor/${specifier}`,
        },
        external: [...common.external, ...VENDORS.filter((other) => other !== specifier)],
      }),
    ]),
  );
}

// What @oclif/core costs every run of synq before a command starts, and what both bundles
// (scripts/build.mjs, scripts/release.mjs) leave out of it. Each change keeps oclif's behaviour
// and fails the build if the source it changes moved. Figures: bench/README.md, "Start-up".
import { loadPatched } from "./source-patches.mjs";

// 1. Modules oclif requires as it loads but that a run of synq never calls, or only in rare
// cases: tinyglobby (finding commands by file pattern; synq lists them explicitly), minimatch
// (filtering plugins; synq has none), lilconfig (an rc file, read only when no package.json
// is given; synq always gives it), get-package-type (loading a command by its path), ejs
// (help texts with a template tag; see 3), cli-spinners and ansi-escapes (a spinner, which
// synq never starts), and the built-ins node:fs/promises (manifests and tsconfig files, which
// synq has none of), node:perf_hooks (OCLIF_PERFORMANCE) and node:readline (a flag read from
// stdin). Loading a built-in runs Node's own module code: together ~10 % of
// `synq decode-cookie`'s instructions. oclif gets stand-ins that load the real module on first
// use, in the shape its require expects (test/unit/oclif-start-up.test.ts checks each
// require's form): "named" for `require(x).name` at the call, "default" for TypeScript's
// __importDefault and "star" for its __importStar (which takes a module that says it is
// __esModule as it is). debug's is the real debug whenever DEBUG is set (read as oclif loads,
// when debug itself would read it), and otherwise makes debuggers that print nothing, which is
// all debug's do without DEBUG (oclif never calls debug.enable).
/** The stand-in's source for `name`, required in `form` (LAZY_REQUIRES). */
export const standInSource = (name, form) => `let real;
const load = () => (real ??= require(${JSON.stringify(name)}));
module.exports = new Proxy({}, {
  get: (_, key) => (key === "__esModule" ? ${form === "star"} : load()[key]),
  has: (_, key) => key in load(),
});`;
/** Each stand-in by the name oclif requires, with the form of that require. */
export const LAZY_REQUIRES = {
  tinyglobby: "named",
  minimatch: "named",
  lilconfig: "named",
  "get-package-type": "named",
  "ansi-escapes": "named",
  "cli-spinners": "default",
  ejs: "star",
  "node:fs/promises": "named",
  "node:perf_hooks": "named",
  "node:readline": "named",
};
const standIns = {
  ...Object.fromEntries(
    Object.entries(LAZY_REQUIRES).map(([name, form]) => [name, standInSource(name, form)]),
  ),
  debug: `module.exports = process.env.DEBUG
  ? require("debug")
  : (namespace) => Object.assign(function disabled() {}, { namespace, enabled: false });`,
};

// 2. oclif sorts the commands with String.prototype.localeCompare, whose first call builds
// ICU's set of available collator locales: ~17 % of `synq --help`'s instructions. For ids of
// lowercase letters, digits and hyphens (every synq command's; test/unit/oclif-start-up.test.ts
// checks both) localeCompare's order is code-point order, so those are compared directly.
const sortByLocale = ".sort((a, b) => a.id.localeCompare(b.id));";
const sortById = `.sort((a, b) => /^[a-z0-9-]*$/.test(a.id) && /^[a-z0-9-]*$/.test(b.id)
                ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
                : a.id.localeCompare(b.id));`;

// 3. oclif's help passes every description, summary and example through ejs, which compiles
// each into a function: ~3 % of `synq --help`. A text with neither "<%" nor "%>" holds no ejs
// tag, and ejs renders it as it is; only texts with one go to ejs.
const renderEveryText = "        return ejs.render(t, context);";
const renderTemplates = `        return t.includes("<%") || t.includes("%>") ? ejs.render(t, context) : t;`;

// 4. ansis writes ESC and U+009B raw in a regular expression, and esbuild keeps them: one
// character outside ASCII would make V8 hold the whole bundle as a two-byte string, decoded
// from UTF-8 at every start. The single executable reads its bundles as Latin-1, one byte a
// character (src/release/start.ts), which only an ASCII bundle keeps as written.
const CSI = "\u009b";

const patches = [
  {
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]config[/\\]plugin\.js$/,
    replacements: [[sortByLocale, sortById]],
  },
  {
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]help[/\\]util\.js$/,
    replacements: [[renderEveryText, renderTemplates]],
  },
  { file: /[/\\]ansis[/\\]index\.js$/, replacements: [[CSI, "\\x9b"]] },
];

/** The esbuild plugin. */
export const oclifStartUp = {
  name: "oclif-start-up",
  setup(b) {
    const names = Object.keys(standIns).map((name) => name.replace(/[/.]/g, "\\$&"));
    const filter = new RegExp(`^(${names.join("|")})$`);
    b.onResolve({ filter }, (args) =>
      /[/\\]@oclif[/\\]core[/\\]/.test(args.importer)
        ? { path: args.path, namespace: "oclif-stand-in", pluginData: args.resolveDir }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "oclif-stand-in" }, (args) => ({
      contents: standIns[args.path],
      loader: "js",
      // The stand-in's own require of the package resolves from oclif's directory.
      resolveDir: args.pluginData,
    }));
    loadPatched(b, patches);
  },
};

/** Throws unless `text` (a bundle) is ASCII, naming where it is not. */
export function assertAscii(text, name) {
  for (let at = 0; at < text.length; at++) {
    if (text.charCodeAt(at) > 0x7f) {
      const around = JSON.stringify(text.slice(Math.max(0, at - 40), at + 10));
      throw new Error(`${name}: a character outside ASCII at ${at}: ${around}`);
    }
  }
}

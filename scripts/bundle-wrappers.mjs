// esbuild wraps each module it loads on demand in an object literal with one method named
// after the module's path: __commonJS({"node_modules/x/index.js"(exports, module) {…}}) and
// __esm({"src/y.ts"() {…}}). Its helpers call that method whatever its name. Each distinct
// name gives the literal a hidden class of its own, and V8 files every one of them as a
// transition of the same empty-object class, a list it keeps sorted: ~850 modules cost
// `synq --help` ~10 M instructions (5 %) before any of them runs. One name for all
// (`load`, `init`) gives them one shared class. The names only ever showed in stack frames
// of module initialisation, as the method's name.
const WRAPPERS = [
  { helper: "__commonJS", method: "load" },
  { helper: "__esm", method: "init" },
];

/** `text` (esbuild's output, minified or not) with every wrapper's method renamed. */
export function shareWrapperShapes(text) {
  let out = text;
  for (const { helper, method } of WRAPPERS) {
    // As esbuild writes them: assigned (`var require_x = __commonJS({…`), the key on the same
    // line or the next.
    const named = new RegExp(`(=\\s*)${helper}\\(\\{(\\s*)"[^"\\\\\\n]+"\\(`, "g");
    out = out.replace(named, `$1${helper}({$2${method}(`);
  }
  return out;
}

/** How many wrappers `text` has, and how many of them still carry a path as their name. */
export function wrapperCounts(text) {
  const count = (re) => (text.match(re) ?? []).length;
  return {
    wrappers: count(/=\s*(__commonJS|__esm)\(\{\s*("[^"\\\n]+"|load|init)\(/g),
    named: count(/=\s*(__commonJS|__esm)\(\{\s*"[^"\\\n]+"\(/g),
  };
}

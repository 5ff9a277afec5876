// blessed in the single executable's bundle: two small changes to its sources, made as esbuild
// loads them (node_modules stays untouched; the npm install loads blessed from there as it is).
// Each one fails the build if blessed's text moved, rather than bundling a blessed without it.
import { loadPatched } from "./source-patches.mjs";

// blessed loads its widgets by name, require("./widgets/" + file): esbuild bundles every file
// that pattern can match, under names with their ".js", so the name asked for gets its ".js".
const widgets = [["require('./widgets/' + file)", "require('./widgets/' + file + '.js')"]];

// blessed's terminfo parser reads every number as 16 bits. ncurses 6 writes an entry with a
// number above 32767 (xterm-256color's pairs#0x10000, Debian's among them) in its extended
// format: magic 01036 (542) instead of 0432, numbers of 32 bits, in the entry and in its
// extended section alike (term(5), "Extended number format"). blessed then fails the entry
// and falls back to its own copies under node_modules/blessed/usr/, which a single executable
// does not have; read as 32 bits, the system's entry is used.
const numbers16 = `  for (; i < l; i += 2) {
    v = Tput.numbers[o++];
    if (data[i + 1] === 0377 && data[i] === 0377) {
      info.numbers[v] = -1;
    } else {
      info.numbers[v] = (data[i + 1] << 8) | data[i];
    }
  }`;
const extendedNumbers16 = `  for (; i < l; i += 2) {
    if (data[i + 1] === 0377 && data[i] === 0377) {
      _numbers.push(-1);
    } else {
      _numbers.push((data[i + 1] << 8) | data[i]);
    }
  }`;
const terminfo = [
  [
    "  info.numbers = {};\n  l = i + h.numCount * 2;",
    "  info.numbers = {};\n  this._numberSize = h.magicNumber === 542 ? 4 : 2;\n  l = i + h.numCount * this._numberSize;",
  ],
  [
    numbers16,
    `  for (; i < l; i += this._numberSize) {
    v = Tput.numbers[o++];
    if (this._numberSize === 4) {
      info.numbers[v] = data.readInt32LE(i);
    } else if (data[i + 1] === 0377 && data[i] === 0377) {
      info.numbers[v] = -1;
    } else {
      info.numbers[v] = (data[i + 1] << 8) | data[i];
    }
  }`,
  ],
  [
    "  var _numbers = [];\n  l = i + h.numCount * 2;",
    "  var _numbers = [];\n  var numberSize = this._numberSize || 2;\n  l = i + h.numCount * numberSize;",
  ],
  [
    extendedNumbers16,
    `  for (; i < l; i += numberSize) {
    if (numberSize === 4) {
      _numbers.push(data.readInt32LE(i));
    } else if (data[i + 1] === 0377 && data[i] === 0377) {
      _numbers.push(-1);
    } else {
      _numbers.push((data[i + 1] << 8) | data[i]);
    }
  }`,
  ],
];

const patches = [
  { file: /[/\\]blessed[/\\]lib[/\\]widget\.js$/, replacements: widgets },
  { file: /[/\\]blessed[/\\]lib[/\\]tput\.js$/, replacements: terminfo },
];

/** The esbuild plugin that applies both. */
export const blessedPatches = {
  name: "blessed-patches",
  setup: (b) => loadPatched(b, patches),
};

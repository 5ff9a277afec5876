/**
 * What scripts/oclif-start-up.mjs changes in the bundles' @oclif/core must not change what
 * oclif does: its command sort compares ids of lowercase letters, digits and hyphens by code
 * point instead of localeCompare, its help hands ejs only the texts that hold a tag, and the
 * modules it loads on first use reach oclif in the shape each of its requires expects.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a build script, plain JavaScript without types
import { LAZY_REQUIRES, standInSource } from "../../scripts/oclif-start-up.mjs";
import { COMMANDS } from "../../src/index.js";

const require = createRequire(import.meta.url);

// ejs (oclif's, untyped): render(template, data).
const { render } = require("ejs") as {
  render: (template: string, data: object) => string;
};

const sign = (n: number) => Math.sign(n);
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe("oclif's command sort without ICU", () => {
  it("orders every pair of ids of up to two [a-z0-9-] characters as localeCompare does", () => {
    const alphabet = [..."-0123456789abcdefghijklmnopqrstuvwxyz"];
    const ids = [...alphabet, ...alphabet.flatMap((a) => alphabet.map((b) => a + b))];
    const disagree: string[] = [];
    for (const a of ids) {
      for (const b of ids) {
        if (sign(a.localeCompare(b)) !== byCodePoint(a, b)) disagree.push(`${a} ${b}`);
      }
    }
    expect(disagree).toEqual([]);
  });

  it("takes that path for synq's commands, in the same order", () => {
    const ids = Object.keys(COMMANDS);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]*$/);
    expect([...ids].sort(byCodePoint)).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
  });
});

describe("oclif's help texts without ejs", () => {
  /** Every text of synq's commands that oclif's help renders. */
  function helpTexts(): string[] {
    const texts: string[] = [];
    for (const command of Object.values(COMMANDS)) {
      const c = command as unknown as Record<string, unknown>;
      texts.push(...[c.summary, c.description, c.usage].filter((t) => typeof t === "string"));
      for (const e of (c.examples as unknown[] | undefined) ?? [])
        texts.push(typeof e === "string" ? e : (e as { command: string }).command);
      for (const f of Object.values((c.flags as Record<string, Record<string, unknown>>) ?? {}))
        texts.push(...[f.summary, f.description].filter((t) => typeof t === "string"));
    }
    return texts as string[];
  }

  it("renders a text with neither <% nor %> as it is", () => {
    const tricky = ['a "quoted" \\ back\\slash', "100% <b> % > <", "line\r\nline\n\n", "\u2028"];
    const texts = [...helpTexts(), ...tricky];
    expect(texts.length).toBeGreaterThan(40);
    for (const t of texts) {
      if (t.includes("<%") || t.includes("%>")) continue;
      expect(render(t, { bin: "synq", config: {} })).toBe(t);
    }
  });

  it("leaves synq's <%= config.bin %> examples to ejs", () => {
    expect(helpTexts().some((t) => t.includes("<%= config.bin %>"))).toBe(true);
    expect(render("<%= config.bin %> status", { config: { bin: "synq" } })).toBe("synq status");
  });
});

describe("oclif's modules loaded on first use", () => {
  const oclifLib = join(dirname(require.resolve("@oclif/core/package.json")), "lib");

  /** Every `require("…")` of `name` in oclif's lib/, with the text around it. */
  function requiresOf(name: string): string[] {
    const found: string[] = [];
    for (const file of readdirSync(oclifLib, { recursive: true }) as string[]) {
      if (!file.endsWith(".js")) continue;
      const text = readFileSync(join(oclifLib, file), "utf8");
      for (const quote of ['"', "'"]) {
        const call = `require(${quote}${name}${quote})`;
        for (let at = text.indexOf(call); at >= 0; at = text.indexOf(call, at + 1)) {
          const line = text.slice(text.lastIndexOf("\n", at) + 1, text.indexOf("\n", at));
          found.push(`${file}: ${line.trim()}`);
        }
      }
    }
    return found;
  }

  const FORMS = {
    named: /^[\w/.-]+: const \w+ = require\(["'][^"']+["']\);$/,
    default: /^[\w/.-]+: const \w+ = __importDefault\(require\(["'][^"']+["']\)\);$/,
    star: /^[\w/.-]+: const \w+ = __importStar\(require\(["'][^"']+["']\)\);$/,
  };

  it.each(Object.entries(LAZY_REQUIRES))("oclif requires %s as %s", (name, form) => {
    const requires = requiresOf(name);
    expect(requires.length).toBeGreaterThan(0);
    for (const line of requires) expect(line).toMatch(FORMS[form as keyof typeof FORMS]);
  });

  /** Runs a stand-in's source as the bundle would, with `load` as its require. */
  function standIn(name: string, form: string, load: (id: string) => unknown): unknown {
    const module = { exports: {} as unknown };
    new Function("require", "module", standInSource(name, form))(load, module);
    return module.exports;
  }

  // TypeScript's helpers, as oclif's compiled files define them.
  const importDefault = (mod: { __esModule?: boolean }) =>
    mod?.__esModule ? mod : { default: mod };
  const importStar = (mod: { __esModule?: boolean }) => {
    if (mod?.__esModule) return mod;
    return { ...mod, default: mod };
  };

  it("loads nothing until oclif uses a module, then hands over the real one", () => {
    const real = { render: (t: string) => `rendered ${t}`, dots: { frames: ["."] } };
    const loaded: string[] = [];
    const load = (id: string) => {
      loaded.push(id);
      return real;
    };
    const named = standIn("node:readline", "named", load) as typeof real;
    const star = importStar(standIn("ejs", "star", load) as object) as unknown as typeof real;
    const dflt = importDefault(standIn("cli-spinners", "default", load) as object) as {
      default: typeof real;
    };
    expect(loaded).toEqual([]);
    expect(star.render("x")).toBe("rendered x");
    expect(dflt.default.dots.frames).toEqual(["."]);
    expect(named.dots).toBe(real.dots);
    expect("render" in named).toBe(true);
    expect(loaded).toEqual(["ejs", "cli-spinners", "node:readline"]);
  });

  it("hands oclif a built-in's own functions", () => {
    const fsPromises = standIn(
      "node:fs/promises",
      "named",
      require,
    ) as typeof import("node:fs/promises");
    expect(fsPromises.readFile).toBe(require("node:fs/promises").readFile);
  });
});

/**
 * What scripts/oclif-start-up.mjs changes in the bundles' @oclif/core must not change what
 * oclif does: its command sort compares ids of lowercase letters, digits and hyphens by code
 * point instead of localeCompare, and its help hands ejs only the texts that hold a tag.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/index.js";

// ejs (oclif's, untyped): render(template, data).
const { render } = createRequire(import.meta.url)("ejs") as {
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

import { describe, expect, it } from "vitest";
import { writeJsonText } from "../../../src/render/json-text.js";

function pieces(value: unknown): string[] {
  const out: string[] = [];
  writeJsonText(value, (p) => out.push(p));
  return out;
}

const listener = (i: number) => ({
  local: `10.0.0.${i % 256}:${1024 + i}`,
  processes: [{ command: 'nginx: "worker"\n', pid: i, fd: 6 }],
  device: null,
  skipped: undefined,
  fill: i / 3,
});

describe("writeJsonText", () => {
  const cases: [string, unknown][] = [
    ["scalars", [1, -0.5, "x", true, null, Number.NaN, Number.POSITIVE_INFINITY]],
    ["strings that need escaping", { 'k"ey': 'a"b\\c\n\u2028é😀\u0001' }],
    ["empty containers", { a: [], o: {}, n: [[]] }],
    ["fields JSON leaves out", { u: undefined, f: () => 1, s: Symbol("s"), kept: 0 }],
    ["array slots JSON writes as null", [undefined, () => 1, Symbol("s"), 2]],
    // biome-ignore lint/suspicious/noSparseArray: a hole is the point
    ["holes", [1, , 3]],
    ["toJSON and dates", { d: new Date(0), t: { toJSON: () => "custom" }, m: new Map([[1, 2]]) }],
    [
      "a large array with holes and left-out values",
      Object.assign(new Array(600), { 5: 1, 300: () => 1, 599: "x" }),
    ],
    ["objects without a prototype", Object.assign(Object.create(null), { a: 1 })],
    [
      "a status-like document with large arrays",
      {
        schemaVersion: 1,
        namespaces: [
          {
            listeners: Array.from({ length: 5000 }, (_, i) => listener(i)),
            findings: Array.from({ length: 300 }, (_, i) =>
              i % 7 ? { code: `c${i}` } : undefined,
            ),
            nested: Array.from({ length: 70 }, (_, i) => Array.from({ length: 70 }, () => i)),
          },
        ],
      },
    ],
  ];

  for (const [name, value] of cases) {
    it(`writes what JSON.stringify writes: ${name}`, () => {
      expect(pieces(value).join("")).toBe(JSON.stringify(value));
    });
  }

  it("hands large documents on in pieces of about 64 KiB, never as one string", () => {
    const doc = { listeners: Array.from({ length: 20000 }, (_, i) => listener(i)) };
    const out = pieces(doc);
    const total = JSON.stringify(doc).length;
    expect(total).toBeGreaterThan(1_000_000);
    expect(out.length).toBeGreaterThanOrEqual(Math.floor(total / (2 * 65536)));
    for (const p of out) expect(p.length).toBeLessThan(2 * 65536);
  });

  it("throws as JSON.stringify does on what JSON cannot hold", () => {
    expect(() => pieces({ big: [1n] })).toThrow(TypeError);
  });
});

import { describe, expect, it } from "vitest";
import { PIECE_BYTES, writeJsonText } from "../../../src/render/json-text.js";

/** The pieces as written, copied when handed on: the writer may fill its buffer again. */
function pieces(value: unknown, reuse = true): Buffer[] {
  const out: Buffer[] = [];
  writeJsonText(value, (bytes) => {
    out.push(reuse ? Buffer.from(bytes) : (bytes as Buffer));
    return reuse;
  });
  return out;
}

const text = (value: unknown, reuse = true) => Buffer.concat(pieces(value, reuse)).toString("utf8");

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
      expect(text(value)).toBe(JSON.stringify(value));
    });
  }

  it("hands large documents on in pieces of at most 64 KiB, never as one string", () => {
    const doc = { listeners: Array.from({ length: 20000 }, (_, i) => listener(i)) };
    const out = pieces(doc);
    const total = Buffer.byteLength(JSON.stringify(doc));
    expect(total).toBeGreaterThan(1_000_000);
    expect(out.length).toBeGreaterThanOrEqual(Math.ceil(total / PIECE_BYTES));
    expect(out.length).toBeLessThan(2 * Math.ceil(total / PIECE_BYTES));
    for (const p of out) expect(p.length).toBeLessThanOrEqual(PIECE_BYTES);
  });

  it("never refills bytes the writer kept (a queued write)", () => {
    const doc = { listeners: Array.from({ length: 5000 }, (_, i) => listener(i)) };
    const kept = pieces(doc, false);
    expect(new Set(kept.map((p) => p.buffer)).size).toBe(kept.length);
    expect(text(doc, false)).toBe(JSON.stringify(doc));
  });

  it("writes a value longer than a piece whole, between the pieces around it", () => {
    const doc = ["a", "é".repeat(PIECE_BYTES), ["b", "c"], "😀".repeat(3 * PIECE_BYTES), 1];
    expect(text(doc)).toBe(JSON.stringify(doc));
  });

  it("throws as JSON.stringify does on what JSON cannot hold", () => {
    expect(() => text({ big: [1n] })).toThrow(TypeError);
  });
});

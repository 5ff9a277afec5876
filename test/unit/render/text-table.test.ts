import { describe, expect, it } from "vitest";
import { displayWidth, plainText, textTable } from "../../../src/render/text-table.js";

const red = (s: string) => `\u001b[31m${s}\u001b[39m`;

describe("displayWidth", () => {
  it.each([
    ["0.0.0.0:8080", 12],
    ["", 0],
    [red("100%"), 4],
    ["\u001b[1mLocal\u001b[22m", 5],
    ["nginx: worker", 13],
    ["café", 4],
    ["cafe\u0301", 4], // e + combining acute
    ["日本語", 6],
    ["😀x", 3],
  ])("%j takes %i columns", (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe("plainText", () => {
  it("drops colour sequences and keeps the rest", () => {
    expect(plainText(`a${red("b")}c\u001b[1;4md\u001b[0m`)).toBe("abcd");
    expect(plainText("no colour")).toBe("no colour");
    expect(plainText("cut \u001b[31")).toBe("cut \u001b[31");
    // Only SGR: other sequences stay, even when an `m` follows later.
    expect(plainText("\u001b[Kmore\u001b[2J \u001b[1m!")).toBe("\u001b[Kmore\u001b[2J !");
  });
});

describe("textTable", () => {
  it("draws the head and rows in boxes sized to the widest cell", () => {
    expect(
      textTable(
        ["Local", "Drops"],
        [
          ["0.0.0.0:80", "0"],
          ["[::1]:8443", "1234"],
        ],
      ),
    ).toBe(
      [
        "┌────────────┬───────┐",
        "│ Local      │ Drops │",
        "│ 0.0.0.0:80 │ 0     │",
        "│ [::1]:8443 │ 1234  │",
        "└────────────┴───────┘",
      ].join("\n"),
    );
  });

  it("lines up cells whatever colours or wide characters they hold", () => {
    const lines = textTable(
      ["\u001b[1mProcess\u001b[22m", "Fill"],
      [
        ["日本語サーバ", red("100%")],
        ["nginx", "5%"],
      ],
    ).split("\n");
    const plain = lines.map(plainText);
    const widths = plain.map(displayWidth);
    expect(new Set(widths).size).toBe(1);
    // Every column boundary is in the same column on every line.
    const bars = (l: string) => [...l].flatMap((ch, i) => ("│┬┴┌┐└┘".includes(ch) ? [i] : []));
    expect(bars(plain[1] as string)).toEqual(bars(plain[0] as string));
    expect(plain[3]).toBe("│ nginx        │ 5%   │");
  });

  it("draws an empty table as its head", () => {
    expect(textTable(["A"], []).split("\n")).toEqual(["┌───┐", "│ A │", "└───┘"]);
  });
});

/**
 * `text` without its ANSI SGR sequences (`ESC [`, digits and `;`, `m`: colours, bold), which
 * take no columns. Other escape sequences stay.
 */
export function plainText(text: string): string {
  if (!text.includes("\u001b[")) return text;
  let plain = "";
  let from = 0;
  for (let i = text.indexOf("\u001b["); i >= 0; i = text.indexOf("\u001b[", i + 2)) {
    let end = i + 2;
    while (isSgrParameter(text.charCodeAt(end))) end++;
    if (text[end] !== "m") continue;
    plain += text.slice(from, i);
    from = end + 1;
  }
  return plain + text.slice(from);
}

/** A digit or `;`. */
function isSgrParameter(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x3b;
}

/** Characters a terminal draws two columns wide: CJK, Hangul, fullwidth forms, emoji. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Characters that take no column of their own: combining marks, joiners, variation selectors. */
function isZeroWidth(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f)
  );
}

/** The columns `text` takes on a terminal. */
export function displayWidth(text: string): number {
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) {
    const c = text.charCodeAt(i);
    ascii = c >= 0x20 && c < 0x7f; // ESC (colours) is below 0x20
  }
  if (ascii) return text.length;
  let width = 0;
  for (const ch of plainText(text)) {
    const cp = ch.codePointAt(0) as number;
    width += isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
  }
  return width;
}

/**
 * A table drawn with box characters: a head row, then one line per row, no rules between
 * rows. Cells may carry colours. Linear in the cells: 10,000 listeners take milliseconds.
 */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [head, ...rows];
  const cellWidths = lines.map((cells) => cells.map(displayWidth));
  const widths = head.map((_, i) => {
    let widest = 0;
    for (const w of cellWidths) widest = Math.max(widest, w[i] ?? 0);
    return widest;
  });
  const rule = (left: string, middle: string, right: string) =>
    left + widths.map((w) => "─".repeat(w + 2)).join(middle) + right;
  const line = (cells: readonly string[], l: number) => {
    const pad = (w: number, i: number) => " ".repeat(w - (cellWidths[l]?.[i] ?? 0));
    return `│${widths.map((w, i) => ` ${cells[i] ?? ""}${pad(w, i)} `).join("│")}│`;
  };
  return [rule("┌", "┬", "┐"), ...lines.map(line), rule("└", "┴", "┘")].join("\n");
}

/** `cells` padded to `widths` (the last cell as it is) and joined by `separator`, trimmed. */
export function paddedRow(
  cells: readonly string[],
  widths: readonly number[],
  separator: string,
): string {
  return cells
    .map((c, i) =>
      i === cells.length - 1 ? c : c + " ".repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c))),
    )
    .join(separator)
    .trimEnd();
}

/** Rows as the lines of a table without borders, each column as wide as its widest cell. */
export function plainTable(rows: readonly (readonly string[])[], separator = "  "): string[] {
  const widths = (rows[0] ?? []).map((_, i) =>
    Math.max(...rows.map((r) => displayWidth(r[i] ?? ""))),
  );
  return rows.map((r) => paddedRow(r, widths, separator));
}

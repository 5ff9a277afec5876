/**
 * The listener table: `synq status`'s columns plus drops/s and the peak accept-queue depth, a
 * Netns column when more than one namespace is watched, the selected row in inverse video.
 * Only the rows that fit are drawn (10,000 listeners are 10,000 rows).
 */

import type { Palette } from "../../render/colour.js";
import { fill as fillText, rateText } from "../../render/status-cells.js";
import type { Frame, ListenerRow } from "../frame-model.js";
import { escapeTags, fitCell } from "./text.js";

interface Column {
  head: string;
  cell: (r: ListenerRow) => string;
  /** Colours a cell already fitted to its width. */
  colour?: (r: ListenerRow, text: string, p: Palette) => string;
  align: "left" | "right";
  /** Shrinks (cut with an ellipsis) when the row is too wide: Process first, then Netns, Local. */
  shrink?: number;
}

/** Colours a padded fill cell as `synq status` colours the percentage (yellow ≥ 80, red ≥ 100). */
const byFill =
  (percent: (r: ListenerRow) => number) => (r: ListenerRow, text: string, p: Palette) =>
    fillText(percent(r), p).replace(`${percent(r)}%`, text);

const COLUMNS: Column[] = [
  { head: "Netns", cell: (r) => r.netns || "(current)", align: "left", shrink: 2 },
  { head: "Local", cell: (r) => r.local, align: "left", shrink: 3 },
  { head: "Process", cell: (r) => r.process, align: "left", shrink: 1 },
  { head: "Accept q", cell: (r) => `${r.acceptDepth}/${r.backlog}`, align: "right" },
  {
    head: "Fill",
    cell: (r) => `${r.acceptFill}%`,
    colour: byFill((r) => r.acceptFill),
    align: "right",
  },
  {
    head: "SYN-RECV",
    cell: (r) => (r.synShared ? `${r.synRecv}*` : String(r.synRecv)),
    align: "right",
  },
  { head: "SYN lim", cell: (r) => String(r.synLimit), align: "right" },
  { head: "Fill", cell: (r) => `${r.synFill}%`, colour: byFill((r) => r.synFill), align: "right" },
  {
    head: "Drops",
    cell: (r) => (r.drops === null ? "?" : String(r.drops)),
    colour: (r, t, p) => (r.drops ? p.red(t) : t),
    align: "right",
  },
  {
    head: "Drops/s",
    cell: (r) => (r.dropsPerSecond === null ? "-" : rateText(r.dropsPerSecond)),
    colour: (r, t, p) => (r.dropsPerSecond ? p.red(t) : t),
    align: "right",
  },
  {
    head: "Peak",
    cell: (r) => (r.peakAcceptQueue === null ? "-" : String(r.peakAcceptQueue)),
    align: "right",
  },
];

/** The first row drawn so that `selected` is visible in `height` rows. */
export function firstVisible(selected: number, count: number, height: number): number {
  if (height <= 0 || count <= height) return 0;
  return Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
}

/**
 * The table's lines for a box `width` columns wide and `height` rows high (head included):
 * blessed tags, every cell escaped.
 */
export function tableLines(frame: Frame, width: number, height: number, p: Palette): string[] {
  const t = frame.table;
  if (t.rows.length === 0) return [p.dim("No TCP listeners.")];
  const columns = COLUMNS.filter((c) => c.head !== "Netns" || t.showNetns);
  const bodyHeight = Math.max(0, height - 1);
  const first = firstVisible(t.selected, t.rows.length, bodyHeight);
  const shown = t.rows.slice(first, first + bodyHeight);
  const cells = shown.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) =>
    Math.max(c.head.length, ...cells.map((row) => (row[i] as string).length)),
  );
  // One space between columns; shrink the flexible ones until the row fits.
  let over = widths.reduce((a, b) => a + b, 0) + columns.length - 1 - width;
  const shrinkable = columns
    .map((c, i) => ({ c, i }))
    .filter((x) => x.c.shrink !== undefined)
    .sort((a, b) => (a.c.shrink as number) - (b.c.shrink as number));
  for (const { i, c } of shrinkable) {
    if (over <= 0) break;
    const floor = Math.min(widths[i] as number, Math.max(c.head.length, 6));
    const take = Math.min(over, (widths[i] as number) - floor);
    widths[i] = (widths[i] as number) - take;
    over -= take;
  }
  const head = columns.map((c, i) => fitCell(c.head, widths[i] as number, c.align)).join(" ");
  const lines = [p.bold(escapeTags(head))];
  shown.forEach((r, n) => {
    const row = columns
      .map((c, i) => {
        const text = escapeTags(fitCell(cells[n]?.[i] as string, widths[i] as number, c.align));
        return c.colour ? c.colour(r, text, p) : text;
      })
      .join(" ");
    lines.push(first + n === t.selected ? `{inverse}${row}{/inverse}` : row);
  });
  return lines;
}

/** The table box's label: how many listeners, the order, the position of the selection. */
export function tableLabel(frame: Frame): string {
  const t = frame.table;
  const skipped = t.skipped.length ? `, ${t.skipped.length} netns gone` : "";
  const at = t.rows.length ? ` ${t.selected + 1}/${t.rows.length}` : "";
  return ` Listeners${at} (sort: ${t.sort}${skipped}) `;
}

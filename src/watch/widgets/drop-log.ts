/** The live drop log: the tracer's records, newest first, and how many the ring buffer lost. */
import type { Palette } from "../../render/colour.js";
import type { DropLogEntry, Frame } from "../frame-model.js";
import { cut, escapeTags } from "./text.js";

/** HH:MM:SS.mmm of a record's time, local time. */
export function clockTime(timeUs: number): string {
  const d = new Date(Math.floor(timeUs / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

function entryLine(e: DropLogEntry, showNetns: boolean): string {
  return [
    clockTime(e.timeUs),
    e.reason,
    ...(showNetns ? [e.netns || "(current)"] : []),
    e.listener,
    "from",
    e.remote,
    e.process,
  ].join(" ");
}

/** The log's lines for a box `width` × `height` (blessed tags, escaped). */
export function dropLogLines(frame: Frame, width: number, height: number, p: Palette): string[] {
  const d = frame.drops;
  if (!d.tracing)
    return [p.dim(escapeTags(cut(`no live events: ${d.reason ?? "not tracing"}`, width)))];
  const lines: string[] = [];
  if (d.lost)
    lines.push(
      p.yellow(
        escapeTags(cut(`${d.lost} records lost (ring buffer full; counts stay exact)`, width)),
      ),
    );
  if (d.entries.length === 0 && lines.length === 0) return [p.dim("No drops so far.")];
  for (const e of d.entries) {
    if (lines.length >= height) break;
    lines.push(escapeTags(cut(entryLine(e, frame.table.showNetns), width)));
  }
  return lines;
}

/** The log box's label. */
export function dropLogLabel(frame: Frame): string {
  const n = frame.drops.entries.length;
  return n ? ` Drop log (${n}${n >= 200 ? "+" : ""}, newest first) ` : " Drop log ";
}

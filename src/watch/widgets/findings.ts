/** The findings panel: what `synq status --interval` finds now, most severe first. */
import type { Palette } from "../../render/colour.js";
import { findingPlace, severity } from "../../render/status-cells.js";
import type { Frame } from "../frame-model.js";
import { cut, escapeTags } from "./text.js";

/** The panel's lines for a box `width` × `height` (blessed tags, escaped). */
export function findingLines(frame: Frame, width: number, height: number, p: Palette): string[] {
  if (frame.header.sampledAt === null) return [p.dim("Sampling…")];
  if (frame.findings.length === 0) return [p.green("No problems found.")];
  const lines: string[] = [];
  for (const f of frame.findings) {
    if (lines.length >= height) break;
    // With one namespace watched, the header names it: the findings name only the listener.
    const where = frame.table.showNetns ? findingPlace(f) : (f.listener ?? "");
    const text = cut(`${where ? `${where}: ` : ""}${f.message}`, Math.max(0, width - 5));
    lines.push(`${severity(f.severity, p)} ${escapeTags(text)}`);
  }
  const left = frame.findings.length - lines.length;
  if (left > 0 && lines.length > 0) lines[lines.length - 1] = p.dim(`… ${left + 1} more`);
  return lines;
}

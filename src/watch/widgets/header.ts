/** The header: host, kernel, namespaces, the tracing state, the SYN sysctls. */
import type { Frame } from "../frame-model.js";
import { cut, escapeTags } from "./text.js";

/** Lays out items on lines of `width` columns, two spaces apart; an item never splits. */
function wrapItems(items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    if (line === "") line = item;
    else if (line.length + 2 + item.length <= width) line += `  ${item}`;
    else {
      lines.push(line);
      line = item;
    }
  }
  if (line !== "") lines.push(line);
  return lines.map((l) => cut(l, width));
}

/**
 * The header's lines for a terminal `width` columns wide, at most `height` (blessed tags,
 * escaped): what is watched and how, then the sysctls.
 */
export function headerLines(frame: Frame, width: number, height = 4): string[] {
  const h = frame.header;
  const about = wrapItems(
    [
      h.host,
      `kernel ${h.kernel || "?"}`,
      `netns ${h.watching}`,
      h.paused ? "PAUSED (p resumes)" : `every ${h.intervalSeconds} s`,
    ],
    width,
  );
  const tracing = cut(h.tracing, width);
  const sysctls = wrapItems(
    h.sysctls.map((s) => `${s.name}=${s.value}`),
    width,
  );
  // The sysctls come last and are the first cut when the header has fewer rows.
  const lines = [...about, tracing, ...sysctls].slice(0, height).map(escapeTags);
  if (lines[0] !== undefined) {
    lines[0] = h.paused ? `{inverse}${lines[0]}{/inverse}` : `{bold}${lines[0]}{/bold}`;
  }
  return lines;
}

/** Text helpers the widgets share: blessed's tag syntax, colours that honour NO_COLOR, fitting. */
import type { Palette } from "../../render/colour.js";

/** Escapes text for a blessed element with tags on ({ and } would start a tag). */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (c) => (c === "{" ? "{open}" : "{close}"));
}

const tag = (name: string) => (s: string) => `{${name}}${s}{/${name}}`;
const plain = (s: string) => s;

/**
 * The status renderers' Palette, drawn with blessed tags: the widgets colour exactly as
 * `synq status` does, and with colours off (NO_COLOR) only bold stays.
 */
export function tagPalette(colours: boolean): Palette {
  if (!colours)
    return {
      red: plain,
      yellow: plain,
      green: plain,
      dim: plain,
      bold: tag("bold"),
      enabled: false,
    };
  return {
    red: tag("red-fg"),
    yellow: tag("yellow-fg"),
    green: tag("green-fg"),
    dim: tag("gray-fg"),
    bold: tag("bold"),
    enabled: true,
  };
}

/** `text` cut to `width` columns (an ellipsis marks the cut), or padded to it. */
export function fitCell(text: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  const t = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return align === "left" ? t.padEnd(width) : t.padStart(width);
}

/** `text` cut to `width` columns, not padded. */
export function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** Whether colours are wanted: NO_COLOR (https://no-color.org) set and non-empty turns them off. */
export function coloursWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !("NO_COLOR" in env && env.NO_COLOR !== "");
}

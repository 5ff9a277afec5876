/** ANSI styling that switches itself off when output is not a terminal or NO_COLOR is set. */
export interface Palette {
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
  enabled: boolean;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

/** Colours only for a TTY without NO_COLOR (https://no-color.org), unless forced off. */
export function palette(stream: { isTTY?: boolean }, env = process.env, forceOff = false): Palette {
  const enabled = !forceOff && stream.isTTY === true && !("NO_COLOR" in env && env.NO_COLOR !== "");
  if (!enabled)
    return { red: plain, yellow: plain, green: plain, dim: plain, bold: plain, enabled };
  return {
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
    enabled,
  };
}

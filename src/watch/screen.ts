/** The terminal side: a blessed screen for $TERM, and the dashboard on it. */
import type { Widgets } from "blessed";
import blessed from "blessed";
import { createDashboard, type Dashboard } from "./layout.js";
import { coloursWanted } from "./widgets/text.js";

/**
 * Takes over the terminal (alternate screen, raw keys, hidden cursor) until screen.destroy().
 * blessed reads the terminfo entry of $TERM (xterm-256color, screen, linux…).
 */
export function openScreen(
  env: NodeJS.ProcessEnv = process.env,
  /** The terminal's streams (default: stdin, stdout); the benchmark passes stand-ins. */
  io: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
): {
  screen: Widgets.Screen;
  dashboard: Dashboard;
} {
  const screen = blessed.screen({
    ...(io as object),
    smartCSR: true,
    fullUnicode: true,
    autoPadding: true,
    warnings: false,
    title: "synq watch",
    ...(env.TERM ? { terminal: env.TERM } : {}),
  });
  return { screen, dashboard: createDashboard(screen, coloursWanted(env)) };
}

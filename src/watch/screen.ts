/** The terminal side: a blessed screen for $TERM, and the dashboard on it. */
import type { Widgets } from "blessed";
import blessed from "blessed";
import { SynqError } from "../errors.js";
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
  let screen: Widgets.Screen;
  try {
    screen = blessed.screen({
      ...(io as object),
      smartCSR: true,
      fullUnicode: true,
      autoPadding: true,
      warnings: false,
      title: "synq watch",
      ...(env.TERM ? { terminal: env.TERM } : {}),
    });
  } catch (err) {
    forgetHalfBuiltScreens();
    throw new SynqError(
      "systemRead",
      `cannot drive the terminal (TERM=${env.TERM ?? "unset"}): ${(err as Error).message}`,
      "set TERM to a terminal with a terminfo entry (xterm-256color, screen, linux), or use `synq status --interval S`",
    );
  }
  return { screen, dashboard: createDashboard(screen, coloursWanted(env)) };
}

/** blessed's registry of screens, which its exit and exception handlers destroy. */
interface ScreenRegistry {
  instances: { program?: unknown }[];
  global?: { program?: unknown } | null;
}

/**
 * A screen whose terminal setup threw is already in blessed's registry, without a terminal:
 * its exit handler would crash destroying it. Only such screens are dropped.
 */
function forgetHalfBuiltScreens(): void {
  const registry = (blessed as unknown as { Screen?: ScreenRegistry }).Screen;
  if (!registry) return;
  registry.instances = registry.instances.filter((s) => s.program !== undefined);
  if (registry.global && registry.global.program === undefined) registry.global = null;
}

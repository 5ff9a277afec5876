/**
 * Drives a command in a real terminal, as a person would: a detached tmux session of a given
 * size on a tmux server of its own (-L), keys sent with send-keys, the screen read with
 * capture-pane. The command runs under sh, which prints its exit code and stays, so the screen
 * after the command ends (the terminal it left behind) can be read too.
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** A command running in a tmux pane. */
export interface TmuxPane {
  /** The screen's text now (capture-pane -p; with `escapes`, its SGR sequences too). */
  screen(escapes?: boolean): string;
  /** Sends keys as send-keys names them (q, Up, C-c, …). */
  keys(...keys: string[]): void;
  /** Waits until `ok(screen)` holds; throws with the last screen after `timeoutMs`. */
  waitFor(ok: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** A tmux format of the pane (#{alternate_on}, #{cursor_flag}, #{pane_pid} …). */
  format(f: string): string;
  /** The command's exit code once it has ended (sh prints it), else null. */
  exitCode(): number | null;
  resize(width: number, height: number): void;
  /** Ends the session: the pane's processes get SIGHUP, as when a terminal window closes. */
  kill(): void;
}

let sessions = 0;

/** Starts `argv` (with `env` added) in a `width`×`height` tmux session. */
export function startInTmux(
  argv: readonly string[],
  opts: { width?: number; height?: number; env?: Record<string, string> } = {},
): TmuxPane {
  const server = `synq-test-${process.pid}`;
  const name = `s${++sessions}`;
  const tmux = (...args: string[]) =>
    execFileSync("tmux", ["-L", server, "-f", "/dev/null", ...args], { encoding: "utf8" });
  const quote = (w: string) => `'${w.replaceAll("'", `'\\''`)}'`;
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const line = `env ${[...env, ...argv].map(quote).join(" ")}; echo "synq-exit=$?"; sleep 600`;
  tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    String(opts.width ?? 80),
    "-y",
    String(opts.height ?? 24),
    "sh",
    "-c",
    line,
  );
  // A window keeps the size it was created with, not the size of a client (there is none).
  tmux("set-option", "-t", name, "window-size", "manual");
  const pane: TmuxPane = {
    screen: (escapes = false) => tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", name),
    keys: (...keys) => {
      for (const k of keys) tmux("send-keys", "-t", name, k);
    },
    async waitFor(ok, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = pane.screen();
        if (ok(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
        await sleep(100);
      }
    },
    format: (f) => tmux("display-message", "-p", "-t", name, f).trim(),
    exitCode: () => {
      const m = /synq-exit=(\d+)/.exec(pane.screen());
      return m ? Number(m[1]) : null;
    },
    resize: (width, height) => {
      tmux("resize-window", "-t", name, "-x", String(width), "-y", String(height));
    },
    kill: () => {
      try {
        tmux("kill-session", "-t", name);
      } catch {
        /* already gone */
      }
    },
  };
  return pane;
}

/** The pids of `pid`'s children. */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter((p) => p !== "")
      .map(Number);
  } catch {
    return [];
  }
}

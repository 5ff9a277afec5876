/**
 * `synq watch`: validates the options, takes a first sample and opens the tracer before the
 * terminal is touched (so every refusal is one line on a normal screen), then runs the poll
 * loop into the frame model and the dashboard until q, Ctrl-C, SIGTERM, SIGHUP or a failure.
 * Whatever ends it, the tracer is closed (links, programs, qdiscs, filters), the sampling
 * thread stopped and the terminal restored, once.
 */
import { hostname } from "node:os";
import { SynqError } from "../errors.js";
import { parsePort, parseSeconds } from "../parsers/flag-values.js";
import { selectNetns } from "../system/netns-select.js";
import type { NetnsTarget } from "../system/netns-target.js";
import { parseTraceFlags } from "../trace/flags.js";
import type { TraceRequest } from "../trace/request.js";
import {
  advance,
  applyKey,
  buildFrame,
  initialState,
  type ViewKey,
  type WatchContext,
  type WatchState,
} from "./frame-model.js";
import { PollLoop } from "./poll-loop.js";
import { type StatusSampler, statusSampler } from "./sampler.js";
import { openTraceFeed, type TraceFeed } from "./trace-feed.js";

/** The options as typed. */
export interface WatchOptions {
  port?: string | undefined;
  netns?: string[] | undefined;
  allNetns: boolean;
  interval?: string | undefined;
  noTrace: boolean;
  strategy?: string | undefined;
  tcHook?: string | undefined;
  cgroup?: string | undefined;
  procRoot?: string | undefined;
}

/** The validated options. */
export interface WatchPlan {
  port: number | null;
  intervalSeconds: number;
  /** null: --no-trace. */
  trace: TraceRequest | null;
}

/** Checks every option (pure; nothing is read yet). */
export function planWatch(opts: WatchOptions): WatchPlan {
  const port = opts.port === undefined ? null : parsePort(opts.port);
  const intervalSeconds =
    opts.interval === undefined ? 1 : parseSeconds(opts.interval, "--interval");
  const traceFlags = {
    port: opts.port,
    strategy: opts.strategy ?? "auto",
    "tc-hook": opts.tcHook ?? "auto",
    cgroup: opts.cgroup,
  };
  if (opts.noTrace) {
    const asked = [
      ...(traceFlags.strategy !== "auto" ? ["--strategy"] : []),
      ...(traceFlags["tc-hook"] !== "auto" ? ["--tc-hook"] : []),
      ...(opts.cgroup !== undefined ? ["--cgroup"] : []),
    ];
    if (asked.length) {
      throw new SynqError("usage", `--no-trace cannot be combined with ${asked.join(", ")}`);
    }
    return { port, intervalSeconds, trace: null };
  }
  return { port, intervalSeconds, trace: parseTraceFlags(traceFlags) };
}

/** The one-line refusal when stdout is not a terminal. */
export function notATerminal(intervalSeconds: number): SynqError {
  return new SynqError(
    "usage",
    "synq watch draws a dashboard and needs a terminal on stdout",
    `for a pipe or a file use \`synq status --interval ${intervalSeconds}\` (add --json for a machine-readable sample)`,
  );
}

/**
 * The tracer's request for the namespaces watched: one namespace named exactly is filtered in
 * the kernel; a selection that may change while watch runs is filtered per tick, by the names
 * sampled (`--all-netns`: not at all).
 */
function traceFor(
  req: TraceRequest,
  targets: readonly NetnsTarget[],
  selection: { merged: boolean; all: boolean },
): { req: TraceRequest; filterDrops: boolean } {
  const [only] = targets;
  if (!selection.merged && only?.path) {
    return { req: { ...req, netns: only.path }, filterDrops: false };
  }
  return { req: { ...req, netns: null }, filterDrops: !selection.all };
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Runs the dashboard until the user quits; throws what ended it otherwise. */
export async function runWatch(opts: WatchOptions): Promise<void> {
  const plan = planWatch(opts);
  const { targets, merged } = await selectNetns(opts.netns ?? [], { all: opts.allNetns });
  if (!process.stdout.isTTY) throw notATerminal(plan.intervalSeconds);

  let sampler: StatusSampler | null = null;
  let feed: TraceFeed | null = null;
  let screen: import("blessed").Widgets.Screen | null = null;
  let loop: PollLoop | null = null;
  let failure: unknown = null;
  const stop = (err?: unknown) => {
    if (err !== undefined) failure ??= err;
    loop?.stop();
  };
  const onSignal = () => stop();
  const onFatal = (err: unknown) => stop(err);
  // The terminal may be gone (SIGHUP): a write error while shutting down is no failure.
  const onOutputError = () => stop();
  const release = () => {
    feed?.close();
    try {
      screen?.destroy();
    } catch {
      /* the terminal went away */
    }
    screen = null;
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
  process.once("exit", release);
  process.stdout.on("error", onOutputError);
  process.stdin.on("error", onOutputError);
  try {
    sampler = statusSampler({
      targets,
      reselect: merged ? { specs: opts.netns ?? [], all: opts.allNetns } : null,
      port: plan.port,
      procRoot: opts.procRoot,
      skipVanished: merged,
    });
    const traced = plan.trace
      ? traceFor(plan.trace, targets, { merged, all: opts.allNetns })
      : null;
    const opened = await openTraceFeed(traced?.req ?? null);
    feed = opened.feed;
    const ctx: WatchContext = {
      host: hostname(),
      intervalSeconds: plan.intervalSeconds,
      allNetns: opts.allNetns,
      tracing: opened.state,
      filterDrops: traced?.filterDrops ?? false,
    };
    let state: WatchState = initialState(ctx);
    let draw = () => {};
    loop = new PollLoop({ sampler, trace: feed }, plan.intervalSeconds * 1000, (input) => {
      state = advance(state, input, ctx);
      // Paused: sampling goes on, the display stays as it was.
      if (!state.view.paused) draw();
    });
    // The first sample before the screen: a namespace that cannot be read is a one-line error.
    state = advance(state, await loop.tick(), ctx);
    if (failure === null) {
      const { openScreen } = await import("./screen.js");
      const opened = openScreen();
      screen = opened.screen;
      const dashboard = opened.dashboard;
      draw = () => dashboard.render(buildFrame(state, ctx));
      const key = (k: ViewKey) => {
        state = applyKey(state, k);
        draw();
      };
      screen.key(["q", "C-c"], () => stop());
      screen.key(["s"], () => key("sort"));
      screen.key(["up", "k"], () => key("up"));
      screen.key(["down", "j"], () => key("down"));
      screen.key(["p"], () => key("pause"));
      screen.key(["?"], () => key("help"));
      screen.on("resize", () => dashboard.relayout());
      draw();
      await loop.run();
    }
  } catch (err) {
    failure ??= err;
  } finally {
    loop?.stop();
    release();
    await sampler?.close();
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    process.off("uncaughtException", onFatal);
    process.off("unhandledRejection", onFatal);
    process.off("exit", release);
    process.stdout.off("error", onOutputError);
    process.stdin.off("error", onOutputError);
  }
  if (failure !== null) throw failure;
}

/** Validates `synq trace-drops` flags into a TraceRequest (pure; errors name the flag). */
import { SynqError } from "../errors.js";
import {
  REASONS,
  type Reason,
  STRATEGIES,
  type Strategy,
  TC_HOOKS,
  type TcHookChoice,
} from "../model/trace-enums.js";
import type { TraceRequest } from "./request.js";

/** The flags as oclif parsed them. */
export interface TraceFlags {
  json?: boolean;
  port?: string | undefined;
  netns?: string | undefined;
  reason?: string[] | undefined;
  cookies?: boolean;
  duration?: string | undefined;
  summary?: boolean;
  strategy?: string;
  interface?: string[] | undefined;
  "tc-hook"?: string;
  cgroup?: string | undefined;
  verbose?: boolean;
  "max-events-per-sec"?: string;
  "ring-buffer-kb"?: string;
}

/** Reported when no --reason is given: every drop (cookies only with --cookies). */
export const DEFAULT_REASONS: readonly Reason[] = [
  "accept-queue-full",
  "accept-queue-full-ack",
  "syn-queue-full",
];

function bad(flag: string, value: string, want: string): SynqError {
  return new SynqError("badInput", `--${flag} ${JSON.stringify(value)} is not ${want}`);
}

/**
 * The strategy the flags ask for. --cgroup implies the cgroup strategy, and --interface or a
 * --tc-hook other than auto the tc one, as only those can honour them: with auto they would be
 * ignored whenever auto picks another strategy. Contradicting a forced strategy is refused.
 */
function impliedStrategy(asked: string, f: TraceFlags): string {
  const tcHook = f["tc-hook"] ?? "auto";
  if (tcHook !== "auto" && !(TC_HOOKS as readonly string[]).includes(tcHook))
    throw bad("tc-hook", tcHook, `one of auto, ${TC_HOOKS.join(", ")}`);
  if (f.cgroup !== undefined && f.cgroup.trim() === "")
    throw bad("cgroup", f.cgroup, "a cgroup directory");
  const implied: [string, string][] = [];
  if (f.cgroup !== undefined) implied.push(["--cgroup", "cgroup"]);
  if (f.interface?.length) implied.push(["--interface", "tc"]);
  if (tcHook !== "auto") implied.push(["--tc-hook", "tc"]);
  let strategy = asked;
  let by = "--strategy";
  for (const [flag, wants] of implied) {
    if (strategy !== "auto" && strategy !== wants) {
      throw new SynqError(
        "badInput",
        `${flag} applies to the ${wants} strategy, not ${strategy}${by === "--strategy" ? "" : ` (implied by ${by})`}`,
      );
    }
    strategy = wants;
    by = flag;
  }
  return strategy;
}

/** Checks every flag; returns the request the service runs. */
export function parseTraceFlags(f: TraceFlags): TraceRequest {
  let port: number | null = null;
  if (f.port !== undefined) {
    if (!/^\d+$/.test(f.port) || Number(f.port) < 1 || Number(f.port) > 65535)
      throw bad("port", f.port, "a port number (1-65535)");
    port = Number(f.port);
  }
  let durationSeconds: number | null = null;
  if (f.duration !== undefined) {
    const d = Number(f.duration);
    if (f.duration.trim() === "" || !Number.isFinite(d) || d <= 0)
      throw bad("duration", f.duration, "a number of seconds above 0");
    durationSeconds = d;
  }
  const maxText = f["max-events-per-sec"] ?? "0";
  if (!/^\d+$/.test(maxText)) throw bad("max-events-per-sec", maxText, "a whole number ≥ 0");
  const ringText = f["ring-buffer-kb"] ?? "1024";
  const ringKb = Number(ringText);
  // A BPF ring buffer is a power-of-two number of pages.
  if (!/^\d+$/.test(ringText) || ringKb < 4 || (ringKb & (ringKb - 1)) !== 0 || ringKb > 1 << 20)
    throw bad("ring-buffer-kb", ringText, "a power of two from 4 to 1048576");
  const asked = f.strategy ?? "auto";
  if (asked !== "auto" && !(STRATEGIES as readonly string[]).includes(asked))
    throw bad("strategy", asked, `one of auto, ${STRATEGIES.join(", ")}`);
  for (const r of f.reason ?? []) {
    if (!(REASONS as readonly string[]).includes(r))
      throw bad("reason", r, `one of ${REASONS.join(", ")}`);
  }
  const chosen = new Set<Reason>((f.reason as Reason[] | undefined) ?? DEFAULT_REASONS);
  if (f.cookies) chosen.add("cookie-sent");
  const strategy = impliedStrategy(asked, f);
  return {
    strategy: strategy as Strategy | "auto",
    port,
    netns: f.netns ?? null,
    reasons: REASONS.filter((r) => chosen.has(r)),
    interfaces: f.interface ?? [],
    tcHook: (f["tc-hook"] ?? "auto") as TcHookChoice,
    cgroup: f.cgroup ?? null,
    durationSeconds,
    summaryOnly: f.summary ?? false,
    json: f.json ?? false,
    verbose: f.verbose ?? false,
    maxEventsPerSec: Number(maxText),
    ringBufferKb: ringKb,
  };
}

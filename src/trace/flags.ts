/** Validates `synq trace-drops` flags into a TraceRequest (pure; errors name the flag). */
import { Flags } from "@oclif/core";
import { SynqError } from "../errors.js";
import {
  REASONS,
  type Reason,
  STRATEGIES,
  type Strategy,
  TC_HOOKS,
  type TcHookChoice,
} from "../model/trace-enums.js";
import { parsePort, parseSeconds, parseWholeNumber } from "../parsers/flag-values.js";
import type { TraceRequest } from "./request.js";

/**
 * How the tracer attaches: the flags every command that runs a trace session shares
 * (`trace-drops`, `watch`), validated by parseTraceFlags.
 */
export const attachFlags = {
  strategy: Flags.string({
    summary: "How to attach: auto picks the best that loads.",
    options: ["auto", ...STRATEGIES],
    default: "auto",
  }),
  cgroup: Flags.string({
    summary:
      "cgroup: attach to this cgroup v2 directory (absolute or relative to the hierarchy) instead of the root: only listeners of processes under it are traced, and only their packets pay. Implies --strategy cgroup.",
  }),
  "tc-hook": Flags.string({
    summary:
      "tc: tcx (a link, Linux 6.6+: cheaper, gone with synq even on SIGKILL) or clsact (a qdisc filter); auto prefers tcx.",
    options: ["auto", ...TC_HOOKS],
    default: "auto",
  }),
};

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

/** The longest --duration taken: a year (a run that long is a service, not a duration). */
const MAX_DURATION_SECONDS = 365 * 86400;

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
  const port = f.port === undefined ? null : parsePort(f.port);
  const durationSeconds =
    f.duration === undefined ? null : parseSeconds(f.duration, "--duration", MAX_DURATION_SECONDS);
  const maxEventsPerSec = parseWholeNumber(f["max-events-per-sec"] ?? "0", "--max-events-per-sec", {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    what: "a whole number ≥ 0",
  });
  const ringKb = parseWholeNumber(f["ring-buffer-kb"] ?? "1024", "--ring-buffer-kb", {
    min: 4,
    max: 1 << 20,
    what: "a power of two from 4 to 1048576",
  });
  // A BPF ring buffer is a power-of-two number of pages.
  if ((ringKb & (ringKb - 1)) !== 0)
    throw bad("ring-buffer-kb", f["ring-buffer-kb"] ?? "", "a power of two from 4 to 1048576");
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
    // Always: keeping peaks costs a connection flood under 0.005 of its rate (bench/README.md).
    peaks: true,
    json: f.json ?? false,
    verbose: f.verbose ?? false,
    maxEventsPerSec,
    ringBufferKb: ringKb,
  };
}

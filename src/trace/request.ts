import type { Reason, Strategy, TcHookChoice } from "../model/trace-enums.js";

/** What `synq trace-drops` was asked for (flags.ts makes it from the command line). */
export interface TraceRequest {
  strategy: Strategy | "auto";
  port: number | null;
  /** A /run/netns name or a namespace file path. */
  netns: string | null;
  reasons: Reason[];
  interfaces: string[];
  /** tc: tcx, clsact, or auto (tcx where the kernel has it). */
  tcHook: TcHookChoice;
  /** cgroup: the cgroup directory to attach to, as given (absolute or under the root). */
  cgroup: string | null;
  durationSeconds: number | null;
  /** Print only the summary, no per-drop lines. */
  summaryOnly: boolean;
  /**
   * Keep each listener's peak accept-queue depth (TraceSession.readPeaks, the summary's
   * `peaks`). Absent in requests made before peaks existed (replayed captures): not kept.
   */
  peaks: boolean;
  json: boolean;
  verbose: boolean;
  maxEventsPerSec: number;
  /** Ring buffer size, KiB. */
  ringBufferKb: number;
}

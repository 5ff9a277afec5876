/**
 * `synq export`: the flags checked, then a file written once (--textfile) or the metrics
 * served over HTTP(S) until stopped.
 */
import { SynqError } from "../errors.js";
import { parsePort, parseSeconds, parseWholeNumber } from "../parsers/flag-values.js";
import type { StatusOptions } from "../status/status-report.js";
import { CAP_SYS_ADMIN, hasCapability, ownCapabilities } from "../system/capabilities.js";
import type { CollectRequest } from "./collection.js";
import { DEFAULT_LISTEN, parseListenAddress } from "./listen-address.js";
import { keepYoungGenerationSmall } from "./young-generation.js";

/** What `synq export` was asked for, as typed. */
export interface ExportOptions
  extends Omit<StatusOptions, "interval" | "top" | "skipVanished" | "owners"> {
  textfile?: string | undefined;
  listen?: string | undefined;
  webConfig?: string | undefined;
  maxSeries?: string | undefined;
  /** --trace and what goes with it. */
  trace?: boolean | undefined;
  strategy?: string | undefined;
  tcHook?: string | undefined;
  cgroup?: string | undefined;
  peakWindow?: string | undefined;
  duration?: string | undefined;
  version: string;
}

/** --peak-window when not given: the window every scraper's peak is the maximum over. */
export const DEFAULT_PEAK_WINDOW_SECONDS = 15;

/** The longest --peak-window and --duration taken. */
const MAX_PEAK_WINDOW_SECONDS = 86400;
const MAX_DURATION_SECONDS = 86400;

function usage(message: string): SynqError {
  return new SynqError("usage", message);
}

/** Refuses flags that only mean something with others (--trace, --textfile). */
export function assertTraceCombinations(opts: ExportOptions): void {
  if (!opts.trace) {
    if (opts.peakWindow !== undefined) throw usage("--peak-window applies only with --trace");
    if (opts.strategy !== undefined && opts.strategy !== "auto")
      throw usage("--strategy applies only with --trace");
    if (opts.tcHook !== undefined && opts.tcHook !== "auto")
      throw usage("--tc-hook applies only with --trace");
    if (opts.cgroup !== undefined) throw usage("--cgroup applies only with --trace");
  }
  if (opts.duration !== undefined && opts.textfile === undefined)
    throw usage(
      "--duration applies only with --textfile and --trace: a server traces until stopped",
    );
  if (opts.duration !== undefined && !opts.trace)
    throw usage("--duration applies only with --trace: without it --textfile collects at once");
  if (opts.trace && opts.textfile !== undefined && opts.duration === undefined)
    throw usage("--textfile with --trace needs --duration S: how long to trace before writing");
}

/** Refuses --trace, in one line with the fix, when synq cannot load BPF programs. */
export async function assertTraceAccess(needNetAdmin: boolean): Promise<void> {
  const { assertPrivileges, effectiveCapabilities } = await import("../trace/kernel-features.js");
  const { readFileSync } = await import("node:fs");
  const euid = process.geteuid?.() ?? 0;
  try {
    assertPrivileges(
      effectiveCapabilities(readFileSync("/proc/self/status", "utf8")),
      euid,
      needNetAdmin,
    );
  } catch (err) {
    if (!(err instanceof SynqError)) throw err;
    throw new SynqError(
      err.kind,
      err.message.replace(/^trace-drops/, "--trace"),
      euid !== 0 ? "rerun synq export with sudo, or without --trace" : err.fix,
    );
  }
}

/**
 * Without CAP_SYS_ADMIN synq reads only the namespace it runs in: entering another (setns) and
 * finding the others (/proc/PID/ns/net of other users' processes) need it.
 */
export function assertNamespaceAccess(opts: ExportOptions, caps = ownCapabilities()): void {
  if (hasCapability(caps, CAP_SYS_ADMIN)) return;
  const flag = opts.allNetns ? "--all-netns" : opts.netns?.length ? "--netns" : null;
  if (flag === null) return;
  throw new SynqError(
    "permission",
    `${flag} reads other network namespaces, which needs root (CAP_SYS_ADMIN, to enter them)`,
    "run synq export as root, or without it to export the namespace synq runs in",
  );
}

/** Writes the file or serves, as the options say. */
export async function runExport(opts: ExportOptions): Promise<void> {
  if (opts.textfile !== undefined && (opts.listen !== undefined || opts.webConfig !== undefined)) {
    // oclif refuses the combination first; kept for callers that are not the command line.
    throw new SynqError(
      "usage",
      "--textfile writes a file and serves nothing: it cannot be combined with --listen or --web-config",
    );
  }
  assertTraceCombinations(opts);
  if (opts.port !== undefined) parsePort(opts.port);
  const listen = opts.listen === undefined ? DEFAULT_LISTEN : parseListenAddress(opts.listen);
  const maxSeries =
    opts.maxSeries === undefined
      ? null
      : parseWholeNumber(opts.maxSeries, "--max-series", {
          min: 0,
          max: 1_000_000_000,
          what: "a number of series from 0 to 1000000000",
        });
  const peakWindowSeconds =
    opts.peakWindow === undefined
      ? DEFAULT_PEAK_WINDOW_SECONDS
      : parseSeconds(opts.peakWindow, "--peak-window", MAX_PEAK_WINDOW_SECONDS);
  const durationSeconds =
    opts.duration === undefined
      ? null
      : parseSeconds(opts.duration, "--duration", MAX_DURATION_SECONDS);
  const traceRequest = opts.trace
    ? (await import("../trace/flags.js")).parseTraceFlags({
        port: opts.port,
        strategy: opts.strategy,
        "tc-hook": opts.tcHook,
        cgroup: opts.cgroup,
        summary: true,
      })
    : null;
  if (traceRequest) await assertTraceAccess(traceRequest.strategy === "tc");
  assertNamespaceAccess(opts);
  const collect: CollectRequest = {
    port: opts.port,
    netns: opts.netns,
    allNetns: opts.allNetns,
    procRoot: opts.procRoot,
    version: opts.version,
    maxSeries,
  };
  if (opts.textfile === undefined) keepYoungGenerationSmall();
  if (traceRequest) {
    const { runTracedExport } = await import("./export-trace-run.js");
    await runTracedExport({
      trace: traceRequest,
      peakWindowSeconds,
      collect,
      ...(opts.textfile !== undefined
        ? { textfile: { path: opts.textfile, durationSeconds: durationSeconds ?? 0 } }
        : { serve: { listen, webConfig: opts.webConfig } }),
    });
    return;
  }
  if (opts.textfile !== undefined) {
    const { exportTextfile } = await import("./textfile-export.js");
    await exportTextfile(opts.textfile, collect);
    return;
  }
  const { serveExport } = await import("./serve-export.js");
  await serveExport({ listen, webConfig: opts.webConfig, collect });
}

/**
 * `synq export`: the flags checked, then a file written once (--textfile) or the metrics
 * served over HTTP(S) until stopped.
 */
import { SynqError } from "../errors.js";
import { parsePort, parseWholeNumber } from "../parsers/flag-values.js";
import type { StatusOptions } from "../status/status-report.js";
import { CAP_SYS_ADMIN, hasCapability, ownCapabilities } from "../system/capabilities.js";
import type { CollectRequest } from "./collection.js";
import { DEFAULT_LISTEN, parseListenAddress } from "./listen-address.js";

/** What `synq export` was asked for, as typed. */
export interface ExportOptions
  extends Omit<StatusOptions, "interval" | "top" | "skipVanished" | "owners"> {
  textfile?: string | undefined;
  listen?: string | undefined;
  webConfig?: string | undefined;
  maxSeries?: string | undefined;
  version: string;
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
  assertNamespaceAccess(opts);
  const collect: CollectRequest = {
    port: opts.port,
    netns: opts.netns,
    allNetns: opts.allNetns,
    procRoot: opts.procRoot,
    version: opts.version,
    maxSeries,
  };
  if (opts.textfile !== undefined) {
    const { exportTextfile } = await import("./textfile-export.js");
    await exportTextfile(opts.textfile, collect);
    return;
  }
  const { serveExport } = await import("./serve-export.js");
  await serveExport({ listen, webConfig: opts.webConfig, collect });
}

import type { Status } from "../model/status.js";
import { parsePort, parseSeconds, parseWholeNumber } from "../parsers/flag-values.js";
import { selectNetns } from "../system/netns-select.js";
import type { OwnerSource } from "../system/owner-cache.js";
import { collectStatus } from "./collect-status.js";
import { failsCheck } from "./findings.js";
import { DEFAULT_TOP } from "./merged-view.js";

/** What the user asked `synq status` for, as typed. */
export interface StatusOptions {
  port?: string | undefined;
  /** `--netns` values: names, namespace file paths, patterns. */
  netns?: string[] | undefined;
  allNetns: boolean;
  interval?: string | undefined;
  top?: string | undefined;
  procRoot?: string | undefined;
  /**
   * A long-running reader (the exporter): namespaces are selected again for each collection,
   * and one that is gone (or a pattern that matches none now) is skipped, never an error.
   */
  skipVanished?: boolean;
  /** Socket owners kept between collections (the exporter's cache). */
  owners?: OwnerSource | undefined;
}

/** What `synq status` shows, and how. */
export interface StatusReport {
  status: Status;
  /** A warning or critical finding: --check fails. */
  failing: boolean;
  /** The report covers a selection of namespaces: shown merged into one view. */
  merged: boolean;
  /** How many healthy listeners and namespaces' counters the merged view shows; 0: all. */
  top: number;
}

/** Validates the options, resolves namespaces and collects the status. */
export async function statusReport(opts: StatusOptions): Promise<StatusReport> {
  const port = opts.port === undefined ? null : parsePort(opts.port);
  const intervalSeconds =
    opts.interval === undefined ? null : parseSeconds(opts.interval, "--interval");
  const top =
    opts.top === undefined
      ? DEFAULT_TOP
      : parseWholeNumber(opts.top, "--top", {
          min: 0,
          max: 1_000_000,
          what: "a number of rows from 0 (all) to 1000000",
        });
  const skipVanished = opts.skipVanished ?? false;
  const { targets, merged } = await selectNetns(opts.netns ?? [], {
    all: opts.allNetns,
    vanishedOk: skipVanished,
  });
  const status = await collectStatus({
    targets,
    port,
    intervalSeconds,
    procRoot: opts.procRoot,
    skipVanished: merged || skipVanished,
    ...(opts.owners ? { owners: opts.owners } : {}),
  });
  const failing = status.namespaces.some((ns) => ns.findings.some(failsCheck));
  return { status, failing, merged, top };
}

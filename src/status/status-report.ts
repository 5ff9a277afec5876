import type { Status } from "../model/status.js";
import { parsePort, parseSeconds } from "../parsers/flag-values.js";
import { discoverNetns, resolveNetns } from "../system/netns.js";
import { currentNetns } from "../system/netns-target.js";
import { collectStatus } from "./collect-status.js";
import { failsCheck } from "./findings.js";

/** What the user asked `synq status` for, as typed. */
export interface StatusOptions {
  port?: string | undefined;
  netns?: string | undefined;
  allNetns: boolean;
  interval?: string | undefined;
  procRoot?: string | undefined;
}

/** Validates the options, resolves namespaces and collects the status; `failing` is for --check. */
export async function statusReport(
  opts: StatusOptions,
): Promise<{ status: Status; failing: boolean }> {
  const port = opts.port === undefined ? null : parsePort(opts.port);
  const intervalSeconds =
    opts.interval === undefined ? null : parseSeconds(opts.interval, "--interval");
  const targets = opts.allNetns
    ? await discoverNetns()
    : [opts.netns ? await resolveNetns(opts.netns) : currentNetns];
  const status = await collectStatus({
    targets,
    port,
    intervalSeconds,
    procRoot: opts.procRoot,
    skipVanished: opts.allNetns,
  });
  const failing = status.namespaces.some((ns) => ns.findings.some(failsCheck));
  return { status, failing };
}

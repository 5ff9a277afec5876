import type { Status } from "../model/status.js";
import { discoverNetns, resolveNetns } from "../sources/netns.js";
import { currentNetns } from "../sources/netns-target.js";
import { collectStatus } from "./collect-status.js";
import { failsCheck } from "./findings.js";
import { parsePort, parseSeconds } from "./parse-flags.js";

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

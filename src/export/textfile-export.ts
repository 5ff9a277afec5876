import { performance } from "node:perf_hooks";
import { SynqError } from "../errors.js";
import { type StatusOptions, statusReport } from "../status/status-report.js";
import { checkWritable, writeFileAtomic } from "../system/write-file-atomic.js";
import { statusRegistry } from "./metric-families.js";

/** What `synq export` was asked for, as typed. */
export interface ExportOptions extends Omit<StatusOptions, "interval" | "top"> {
  textfile?: string | undefined;
  version: string;
}

/** What one export wrote. */
export interface ExportResult {
  path: string;
  bytes: number;
}

/**
 * Collects once, as `synq status` does, and writes the Prometheus text exposition to the
 * --textfile path atomically (for node_exporter's textfile collector, or cron).
 */
export async function exportTextfile(opts: ExportOptions): Promise<ExportResult> {
  const path = opts.textfile;
  if (path === undefined) {
    throw new SynqError(
      "usage",
      "synq export writes only a --textfile PATH in this version; it serves no HTTP endpoint yet",
      "run `synq export --textfile DIR/synq.prom` from cron or a timer, with DIR node_exporter's --collector.textfile.directory",
    );
  }
  if (path === "") {
    throw new SynqError(
      "badInput",
      "--textfile is empty",
      "give a file path such as DIR/synq.prom",
    );
  }
  const what = `--textfile ${path}`;
  checkWritable(path, what);
  const started = performance.now();
  const { status } = await statusReport({ ...opts, interval: undefined, top: undefined });
  const durationSeconds = (performance.now() - started) / 1000;
  const registry = statusRegistry(status, {
    version: opts.version,
    nodeVersion: process.version,
    durationSeconds,
  });
  const text = await registry.metrics();
  writeFileAtomic(path, text, what);
  return { path, bytes: Buffer.byteLength(text) };
}

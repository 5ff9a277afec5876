import { SynqError } from "../errors.js";
import { checkWritable, writeFileAtomic } from "../system/write-file-atomic.js";
import { type CollectRequest, collectExport } from "./collection.js";
import { renderToString } from "./exposition-writer.js";

/** What one export wrote. */
export interface ExportResult {
  path: string;
  bytes: number;
}

/**
 * Collects once, as `synq status` does, and writes the Prometheus text exposition to the
 * --textfile path atomically (for node_exporter's textfile collector, or cron).
 */
export async function exportTextfile(path: string, req: CollectRequest): Promise<ExportResult> {
  checkTextfile(path);
  const collection = await collectExport(req);
  const text = renderToString("prometheus", ...collection.families());
  writeFileAtomic(path, text, `--textfile ${path}`);
  return { path, bytes: Buffer.byteLength(text) };
}

/** Refuses a --textfile path that cannot be written, before anything is collected. */
export function checkTextfile(path: string): void {
  if (path === "") {
    throw new SynqError(
      "badInput",
      "--textfile is empty",
      "give a file path such as DIR/synq.prom",
    );
  }
  checkWritable(path, `--textfile ${path}`);
}

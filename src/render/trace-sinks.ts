/**
 * Where a trace session's records go: the terminal's text (the banner on stderr, one line per
 * drop, the summary tables) or JSON lines. A sink only formats and writes; what to write and
 * when is the session's and the command's business.
 */
import type { TraceDrop, TraceLost, TraceStart, TraceSummary } from "../model/trace.js";
import { dropHeader, dropLine, startBanner, summaryText } from "./trace.js";

/** Takes a session's records in order: start, drops (in batches), losses, the summary. */
export interface TraceSink {
  start(start: TraceStart): void;
  drops(drops: readonly TraceDrop[]): void;
  lost(record: TraceLost): void;
  summary(summary: TraceSummary): void;
}

/** Writes one piece of text as a line (or several, joined). */
export type WriteLine = (text: string) => void;

/** `--json`: one JSON record a line on stdout. */
export function jsonLinesSink(out: WriteLine): TraceSink {
  return {
    start: (s) => out(JSON.stringify(s)),
    // One write per batch: a flood brings thousands of records every drain.
    drops: (ds) => {
      if (ds.length > 0) out(ds.map((d) => JSON.stringify(d)).join("\n"));
    },
    lost: (r) => out(JSON.stringify(r)),
    summary: (s) => out(JSON.stringify(s)),
  };
}

/** Text: the banner and losses on stderr; the drop lines and the summary on stdout. */
export function textSink(
  out: WriteLine,
  err: WriteLine,
  opts: { verbose: boolean; summaryOnly: boolean },
): TraceSink {
  return {
    start: (s) => {
      err(startBanner(s, opts.verbose));
      if (!opts.summaryOnly) out(dropHeader());
    },
    drops: (ds) => {
      if (ds.length > 0) out(ds.map(dropLine).join("\n"));
    },
    lost: (r) =>
      err(
        `synq: ${r.lost} drop records lost so far: the ring buffer was full (counts stay exact; --ring-buffer-kb makes it larger)`,
      ),
    summary: (s) => out(summaryText(s)),
  };
}

import { SynqError } from "../errors.js";

/** A parse failure that names the source, the line number and the offending line. */
export function parseError(
  source: string,
  lineNo: number,
  line: string,
  reason: string,
): SynqError {
  const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return new SynqError(
    "parse",
    `cannot parse ${source} line ${lineNo} (${reason}): ${JSON.stringify(shown)}`,
    "this output format is not understood; please report it with your kernel and iproute2 versions",
  );
}

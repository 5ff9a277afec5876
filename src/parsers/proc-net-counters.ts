import { parseError } from "./parse-error.js";

/** Counters by group then name: `{ TcpExt: { ListenDrops: 3 } }`. Values may exceed 2^53: bigint. */
export type CounterGroups = Record<string, Record<string, bigint>>;

/**
 * Parses /proc/net/netstat or /proc/net/snmp (or both concatenated): pairs of lines
 * `Group: Name1 Name2…` then `Group: v1 v2…`. Parsed by name, so new counters are kept
 * and counters missing on a kernel are simply absent (never defaulted to 0).
 */
export function parseProcNetCounters(text: string, source: string): CounterGroups {
  const groups: CounterGroups = {};
  const lines = text.split("\n");
  let header: { group: string; names: string[]; lineNo: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trimEnd();
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw parseError(source, i + 1, line, "expected `Group: fields`");
    const group = line.slice(0, colon);
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter((f) => f !== "");
    if (!header || header.group !== group) {
      if (header) throw parseError(source, header.lineNo, header.group, "header without values");
      header = { group, names: fields, lineNo: i + 1 };
      continue;
    }
    if (fields.length !== header.names.length) {
      throw parseError(
        source,
        i + 1,
        line,
        `${group} has ${header.names.length} names but ${fields.length} values`,
      );
    }
    const values: Record<string, bigint> = groups[group] ?? {};
    header.names.forEach((name, k) => {
      const v = fields[k] as string;
      if (!/^-?\d+$/.test(v)) throw parseError(source, i + 1, line, `${name} is not a number`);
      values[name] = BigInt(v);
    });
    groups[group] = values;
    header = null;
  }
  if (header) throw parseError(source, header.lineNo, header.group, "header without values");
  return groups;
}

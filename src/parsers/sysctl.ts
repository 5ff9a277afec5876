import { parseError } from "./parse-error.js";

/** Parses `sysctl -e key…` output (`key = value` lines) into a map. */
export function parseSysctlOutput(text: string, source = "sysctl"): Map<string, string> {
  const out = new Map<string, string>();
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const eq = line.indexOf(" = ");
    if (eq <= 0) throw parseError(source, i + 1, line, "expected `key = value`");
    out.set(line.slice(0, eq).trim(), line.slice(eq + 3).trim());
  });
  return out;
}

/** Parses an integer sysctl value; `null` when it is absent on this kernel. */
export function sysctlInt(values: Map<string, string>, key: string): number | null {
  const v = values.get(key);
  if (v === undefined) return null;
  if (!/^-?\d+$/.test(v))
    throw parseError(`/proc/sys/${key.replaceAll(".", "/")}`, 1, v, "not an integer");
  return Number(v);
}

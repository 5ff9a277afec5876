import { type NetnsTarget, runTool } from "./run-tool.js";

/**
 * Reads several small files inside another network namespace with one process:
 * `nsenter --net=… grep -s -H '' files…` prints `path:line` for each line, skipping missing
 * files. /proc/net/* and /proc/sys/net/* show the reader's namespace, hence the nsenter.
 */
export async function readFilesInNetns(
  target: NetnsTarget,
  paths: readonly string[],
): Promise<Map<string, string>> {
  // grep exits 2 when some file is missing (-s keeps quiet about it) and 1 when all are empty.
  const out = await runTool(target, "grep", ["-s", "-H", "", ...paths], [0, 1, 2]);
  const files = new Map<string, string[]>();
  const ordered = [...paths].sort((a, b) => b.length - a.length);
  for (const line of out.split("\n")) {
    if (line === "") continue;
    const path = ordered.find((p) => line.startsWith(`${p}:`));
    if (!path) continue;
    const lines = files.get(path) ?? [];
    lines.push(line.slice(path.length + 1));
    files.set(path, lines);
  }
  return new Map([...files].map(([p, lines]) => [p, `${lines.join("\n")}\n`]));
}

import { execFileSync } from "node:child_process";

/** True when running under CI, where no test may be skipped for lack of a prerequisite. */
export const inCi = process.env.CI === "true";

/**
 * Returns a reason string when `ok` is false, for `describe.skipIf`.
 * Under CI a missing prerequisite is an error, never a skip.
 */
export function missing(ok: boolean, what: string): string | false {
  if (ok) return false;
  if (inCi) throw new Error(`CI=true but prerequisite is missing: ${what}`);
  return what;
}

/** Whether this process runs as root (namespaces, sysctls inside them, BPF). */
export const isRoot = process.getuid?.() === 0;

/** Whether an executable is on PATH. */
export function hasTool(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The fixtures folder. */
export const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));

/** One scenario captured on one kernel: `<kernel>_iproute2-<v>/<scenario>`. */
export interface Capture {
  label: string;
  kernel: string;
  unameVersion: string;
  dir: string;
  read: (rel: string) => string;
  readBytes: (rel: string) => Buffer;
}

/** Every capture of a scenario, across all kernels captured. */
export function capturesOf(scenario: string): Capture[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.includes("_iproute2-"))
    .map((d) => {
      const dir = join(FIXTURES, d.name, scenario);
      const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as {
        kernel: string;
        unameVersion: string;
      };
      return {
        label: `${d.name}/${scenario}`,
        kernel: meta.kernel,
        unameVersion: meta.unameVersion,
        dir,
        read: (rel: string) => readFileSync(join(dir, rel), "utf8"),
        readBytes: (rel: string) => readFileSync(join(dir, rel)),
      };
    });
}

/** Every capture: each scenario on each kernel, by scenario, then kernel folder. */
export function allCaptures(): Capture[] {
  const scenarios = new Set<string>();
  for (const k of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (!k.isDirectory() || !k.name.includes("_iproute2-")) continue;
    for (const s of readdirSync(join(FIXTURES, k.name), { withFileTypes: true })) {
      if (s.isDirectory() && existsSync(join(FIXTURES, k.name, s.name, "meta.json"))) {
        scenarios.add(s.name);
      }
    }
  }
  return [...scenarios]
    .sort()
    .flatMap((s) => capturesOf(s).sort((a, b) => a.label.localeCompare(b.label)));
}

/** `nstat -az` text as name → value. */
export function parseNstat(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value && /^\d+$/.test(value)) m.set(name, Number(value));
  }
  return m;
}

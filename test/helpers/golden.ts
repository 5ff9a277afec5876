import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { expect } from "vitest";
import { describeSynQueueRule, synQueueRule } from "../../src/kernel/syn-queue-limit.js";
import { upstreamKernelVersion } from "../../src/kernel/version.js";
import { STATUS_SCHEMA_VERSION } from "../../src/model/schema-versions.js";
import type { Status } from "../../src/model/status.js";
import { palette } from "../../src/render/colour.js";
import { writeJsonText } from "../../src/render/json-text.js";
import { renderStatus } from "../../src/render/status-table.js";
import { buildNamespaceStatus } from "../../src/status/build-status.js";
import { type Capture, FIXTURES } from "./fixtures.js";
import { inCi } from "./prerequisites.js";
import { sampleFromCapture } from "./sample-from-capture.js";

/** What `SYNQ_UPDATE_GOLDEN=1` asks for; refused under CI, which always compares. */
export function goldenUpdateMode(): boolean {
  if (process.env.SYNQ_UPDATE_GOLDEN !== "1") return false;
  if (inCi) {
    throw new Error("SYNQ_UPDATE_GOLDEN=1 is refused under CI=true: CI compares golden files");
  }
  return true;
}

/**
 * Compares `actual` with the golden file at `path`, whole string against whole file (vitest
 * shows the diff). With SYNQ_UPDATE_GOLDEN=1 it writes the file instead, and says so.
 */
export function expectGolden(path: string, actual: string): void {
  const shown = relative(FIXTURES, path);
  if (goldenUpdateMode()) {
    const before = existsSync(path) ? readFileSync(path, "utf8") : null;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    const what = before === null ? "created" : before === actual ? "unchanged" : "rewritten";
    process.stderr.write(`SYNQ_UPDATE_GOLDEN=1: fixtures/${shown} ${what}\n`);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(
      `golden file fixtures/${shown} is missing: generate it with SYNQ_UPDATE_GOLDEN=1 (see fixtures/README.md)`,
    );
  }
  expect(actual, `fixtures/${shown}`).toBe(readFileSync(path, "utf8"));
}

/** The netns name and generation time the golden outputs are made with. */
export const GOLDEN_NETNS = "capture";
export const GOLDEN_GENERATED_AT = "2026-01-01T00:00:00.000Z";

/** The outputs of `synq status` on one capture, keyed by golden file name (in `expected/`). */
export interface StatusGolden {
  "status.txt": string;
  "status.json": string;
  "status-interval.txt": string;
  "status-interval.json": string;
}

/**
 * The status document `synq status --netns capture [--interval 1]` builds from the capture
 * (collect-status.ts), with a fixed generatedAt. With an interval both samples are the capture,
 * one second apart: every rate is 0.
 */
export function statusOfCapture(capture: Capture, intervalSeconds: number | null): Status {
  const version = upstreamKernelVersion(capture.kernel, capture.unameVersion, null);
  if (!version) throw new Error(`${capture.label}: no kernel version in "${capture.kernel}"`);
  const rule = synQueueRule(version);
  const before = intervalSeconds === null ? null : sampleFromCapture(capture);
  const now = sampleFromCapture(capture);
  if (before && intervalSeconds !== null) now.takenAt = before.takenAt + intervalSeconds * 1000;
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: GOLDEN_GENERATED_AT,
    kernel: { release: capture.kernel, synQueueRule: describeSynQueueRule(rule) },
    intervalSeconds,
    namespaces: [buildNamespaceStatus(now, before, { netns: GOLDEN_NETNS, rule, port: null })],
  };
}

/** What `synq status` writes on stdout without --json: the report (no colour) and a newline. */
export function statusText(status: Status): string {
  return `${renderStatus(status, palette({ isTTY: false }, {}, true))}\n`;
}

/** What `synq status --json` writes on stdout into a pipe (base-command.ts logJson): compact. */
export function statusJson(status: Status): string {
  const pieces: Buffer[] = [];
  writeJsonText(status, (bytes) => {
    pieces.push(Buffer.from(bytes)); // copied: the writer fills its buffer again
    return true;
  });
  return `${Buffer.concat(pieces).toString("utf8")}\n`;
}

/** The four golden outputs of `synq status` for one capture. */
export function statusGolden(capture: Capture): StatusGolden {
  const once = statusOfCapture(capture, null);
  const interval = statusOfCapture(capture, 1);
  return {
    "status.txt": statusText(once),
    "status.json": statusJson(once),
    "status-interval.txt": statusText(interval),
    "status-interval.json": statusJson(interval),
  };
}

/** Where a capture's golden file lives. */
export function goldenPath(capture: Capture, name: string): string {
  return join(capture.dir, "expected", name);
}

/**
 * synq status with thousands of listeners: enough open files that the socket owners are found
 * by the worker thread (src/early-start.ts), and output far larger than a pipe holds. synq
 * exits as soon as a command is done (bin/run.js), but only once its output is written: a
 * reader slower than the pipe's 64 KiB buffer still gets every byte.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusSchema } from "../../src/model/status.js";
import { createNetns, deleteNetns, type RunningScenario, startScenario } from "../helpers/netns.js";
import { isRoot, missing } from "../helpers/prerequisites.js";
import { SYNQ_BIN } from "../helpers/run-synq.js";

const skip = missing(isRoot, "root (a network namespace of its own)");
// Above the open-file count from which status scans for owners in a worker thread.
const LISTENERS = 4500;

/** synq's stdout as `sleep 1; cat` reads it: nothing is taken before the pipe has been full. */
function throughSlowReader(args: string[]): string {
  return execFileSync("sh", ["-c", 'node "$0" "$@" | { sleep 1; cat; }', SYNQ_BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: 1 << 28,
  });
}

describe.skipIf(skip)("synq status through a slow pipe", () => {
  let ns = "";
  let scenario: RunningScenario | undefined;

  beforeAll(async () => {
    ns = createNetns("synq-slow");
    scenario = await startScenario(ns, {
      listenerRange: { address: "127.0.0.1", portFrom: 20000, count: LISTENERS, backlog: 8 },
      settleMs: 200,
    });
  });
  afterAll(async () => {
    await scenario?.stop();
    deleteNetns(ns);
  });

  it("writes the whole JSON document, every listener with its owner", () => {
    expect(Number.parseInt(readFileSync("/proc/sys/fs/file-nr", "latin1"), 10)).toBeGreaterThan(
      LISTENERS,
    );
    const text = throughSlowReader(["status", "--netns", ns, "--json"]);
    expect(text.length).toBeGreaterThan(16 * 65536);
    const listeners = statusSchema.parse(JSON.parse(text)).namespaces[0]?.listeners ?? [];
    expect(listeners).toHaveLength(LISTENERS);
    const pid = scenario?.process.pid;
    for (const l of listeners) expect(l.processes.map((p) => p.pid)).toEqual([pid]);
  });

  it("writes the whole table, up to its last section", () => {
    const text = throughSlowReader(["status", "--netns", ns]);
    expect(text.split("\n").filter((l) => l.includes("127.0.0.1:2"))).toHaveLength(LISTENERS);
    expect(text.trimEnd().endsWith("No problems found.")).toBe(true);
  });
});

/**
 * synq exits as soon as a command is done (bin/run.js), but only once its output is written:
 * a reader slower than the pipe's 64 KiB buffer still gets every byte.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusSchema } from "../../src/model/status.js";
import { createNetns, deleteNetns, type RunningScenario, startScenario } from "../helpers/netns.js";
import { isRoot, missing } from "../helpers/prerequisites.js";
import { SYNQ_BIN } from "../helpers/run-synq.js";

const skip = missing(isRoot, "root (a network namespace of its own)");
const LISTENERS = 600;

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

  it("writes the whole JSON document (far more than 64 KiB)", () => {
    const text = throughSlowReader(["status", "--netns", ns, "--json"]);
    expect(text.length).toBeGreaterThan(3 * 65536);
    const status = statusSchema.parse(JSON.parse(text));
    expect(status.namespaces[0]?.listeners).toHaveLength(LISTENERS);
  });

  it("writes the whole table, up to its last section", () => {
    const text = throughSlowReader(["status", "--netns", ns]);
    expect(text.split("\n").filter((l) => l.includes("127.0.0.1:2"))).toHaveLength(LISTENERS);
    expect(text.trimEnd().endsWith("No problems found.")).toBe(true);
  });
});

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hasTool, missing } from "../helpers/prerequisites.js";
import { runSynq, SYNQ_ARGV } from "../helpers/run-synq.js";

const skip = missing(hasTool("script"), "script(1) from util-linux, for a terminal");

describe("--json layout", () => {
  it("is one compact line when piped", () => {
    const r = runSynq(["decode-cookie", "12345", "--json"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stdout).sequence.cookie).toBe(12345);
  });

  it.skipIf(skip)("is indented on a terminal", () => {
    // script(1) runs synq on a pseudo-terminal and copies what it printed.
    const command = [...SYNQ_ARGV, "decode-cookie", "12345", "--json"].join(" ");
    const r = spawnSync("script", ["-qec", command, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.status).toBe(0);
    const text = r.stdout.replaceAll("\r\n", "\n");
    expect(text).toMatch(/^\{\n {2}"schemaVersion": 1,\n/);
    expect(JSON.parse(text).sequence.cookie).toBe(12345);
  });
});

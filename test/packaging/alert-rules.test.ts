import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseExposition } from "../helpers/exposition.js";
import { hasTool, missing } from "../helpers/prerequisites.js";
import { runSynq } from "../helpers/run-synq.js";

const DIR = fileURLToPath(new URL("../../packaging/prometheus/", import.meta.url));

const skip = missing(hasTool("promtool"), "promtool (Debian: prometheus)");

function promtool(args: string[]) {
  return spawnSync("promtool", args, { cwd: DIR, encoding: "utf8" });
}

describe.skipIf(skip)("the alerting rules in packaging/prometheus", () => {
  it("pass promtool check rules: three rules, no lint problem", () => {
    const r = promtool(["check", "rules", "--lint=all", "--lint-fatal", "synq-rules.yml"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("SUCCESS: 3 rules found");
  });

  it("fire on the series that must fire and on no other (promtool test rules)", () => {
    const r = promtool(["test", "rules", "synq-rules.test.yml"]);
    expect(r.stdout + r.stderr).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("name only metrics synq export writes, with the types the expressions assume", () => {
    const rules = readFileSync(join(DIR, "synq-rules.yml"), "utf8");
    const used = [...new Set(rules.match(/\bsynq_[a-z_]+/g))].sort();
    expect(used).toEqual([
      "synq_listener_accept_queue_backlog",
      "synq_listener_accept_queue_depth",
      "synq_listener_drops_total",
      "synq_netns_syncookies_sent_total",
    ]);
    const dir = mkdtempSync(join(tmpdir(), "synq-rules-"));
    try {
      const file = join(dir, "synq.prom");
      const r = runSynq(["export", "--textfile", file]);
      expect(r.stderr).toBe("");
      const { types } = parseExposition(readFileSync(file, "utf8"));
      expect(used.map((name) => [name, types.get(name)])).toEqual([
        ["synq_listener_accept_queue_backlog", "gauge"],
        ["synq_listener_accept_queue_depth", "gauge"],
        ["synq_listener_drops_total", "counter"],
        ["synq_netns_syncookies_sent_total", "counter"],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

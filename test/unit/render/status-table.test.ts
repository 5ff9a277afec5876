import { describe, expect, it } from "vitest";
import { synQueueRule } from "../../../src/kernel/syn-queue-limit.js";
import { STATUS_SCHEMA_VERSION, type Status } from "../../../src/model/status.js";
import { palette } from "../../../src/render/colour.js";
import { renderStatus } from "../../../src/render/status-table.js";
import { buildNamespaceStatus } from "../../../src/status/build-status.js";
import { capturesOf } from "../../helpers/fixtures.js";
import { sampleFromCapture } from "../../helpers/sample-from-capture.js";

const [busy] = capturesOf("busy");
if (!busy) throw new Error("no busy capture");
const status: Status = {
  schemaVersion: STATUS_SCHEMA_VERSION,
  generatedAt: "2026-01-01T00:00:00.000Z",
  kernel: { release: busy.kernel, synQueueRule: "rule text" },
  intervalSeconds: null,
  namespaces: [
    buildNamespaceStatus(sampleFromCapture(busy), null, {
      netns: "web",
      rule: synQueueRule([6, 18, 0]),
      port: null,
    }),
  ],
};

describe("palette", () => {
  it("colours only a terminal without NO_COLOR", () => {
    expect(palette({ isTTY: true }, {}).enabled).toBe(true);
    expect(palette({ isTTY: false }, {}).enabled).toBe(false);
    expect(palette({ isTTY: true }, { NO_COLOR: "1" }).enabled).toBe(false);
    expect(palette({ isTTY: true }, {}, true).enabled).toBe(false);
    expect(palette({ isTTY: true }, {}).red("x")).toBe("\u001b[31mx\u001b[39m");
  });
});

describe("renderStatus", () => {
  const plain = renderStatus(status, palette({ isTTY: false }, {}));

  it("shows every listener with queue, SYN-RECV and drops columns", () => {
    const row = plain.split("\n").find((l) => l.includes("0.0.0.0:8080") && l.includes("5/4"));
    expect(row).toMatch(/│ 5\/4\s+│ 100%\s+│ 0\s+│ 5\s+│ 0%\s+│ \d+\s+│/);
    expect(plain).toMatch(/0\.0\.0\.0:7443 .*│ 4\*/);
    expect(plain).toContain("0.0.0.0:53%lo");
    expect(plain).toContain("* SYN-RECV shared by SO_REUSEPORT listeners");
  });

  it("names the namespace and lists findings with their fixes", () => {
    expect(plain).toContain("== network namespace web ==");
    expect(plain).toMatch(/CRIT netns web 0\.0\.0\.0:8080: accept queue full/);
    expect(plain).toContain("fix: accept faster");
  });

  it("has no escape codes without colour and some with", () => {
    expect(plain).not.toContain("\u001b[");
    expect(renderStatus(status, palette({ isTTY: true }, {}))).toContain("\u001b[31mCRIT");
  });
});

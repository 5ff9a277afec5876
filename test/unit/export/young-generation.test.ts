import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MODULE = fileURLToPath(new URL("../../../src/export/young-generation.ts", import.meta.url));

/**
 * The young generation's size before and after a burst of short-lived garbage, in a process of
 * its own.
 */
function newSpaceAroundGarbage(bounded: boolean): { before: number; after: number } {
  const script = `
    import { getHeapSpaceStatistics } from "node:v8";
    import { keepYoungGenerationSmall } from ${JSON.stringify(MODULE)};
    if (${bounded}) keepYoungGenerationSmall();
    const newSpace = () =>
      getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
    const before = newSpace();
    let kept = 0;
    for (let r = 0; r < 60; r++) {
      const batch = [];
      for (let i = 0; i < 100000; i++) batch.push({ i, label: "x" + i });
      kept += batch.length;
    }
    process.stdout.write(JSON.stringify({ before, after: newSpace() }));
  `;
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    {
      encoding: "utf8",
    },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

describe("keepYoungGenerationSmall", () => {
  it("keeps the semi-spaces from growing under a collection's garbage, as they do without it", () => {
    const free = newSpaceAroundGarbage(false);
    expect(free.after).toBeGreaterThanOrEqual(4 * free.before);
    const bounded = newSpaceAroundGarbage(true);
    expect(bounded.after).toBe(bounded.before);
  });
});

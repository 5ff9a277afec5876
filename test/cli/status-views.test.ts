import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { capturesOf, FIXTURES } from "../helpers/fixtures.js";
import { isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq } from "../helpers/run-synq.js";

const [busy] = capturesOf("busy");
if (!busy) throw new Error("no busy capture in fixtures/");

function statusText(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = runSynq(["status", "--no-color", ...args], env);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

describe("which view synq status prints", () => {
  it.skipIf(missing(isRoot, "root, to enter every namespace"))(
    "merges the namespaces of --all-netns into one view",
    () => {
      const text = statusText(["--all-netns", "--top", "2"]);
      expect(text.split("\n")[1]).toMatch(/^[\d,]+ network namespaces?, [\d,]+ listeners?$/);
      expect(text).toMatch(/^│ Sysctl +│ Value +│ Meaning +│$/m);
      expect(text).toMatch(/^│ Netns +│ Local +│|^No TCP listeners\.$/m);
      expect(text).not.toContain("== network namespace");
    },
  );

  it("keeps one report for the namespace synq runs in", () => {
    // The capture's namespace, read through a stand-in for ss: more than two listeners.
    const text = statusText(["--top", "2"], {
      SYNQ_SOCKETS: "ss",
      PATH: `${join(FIXTURES, "bin")}:${process.env.PATH}`,
      SYNQ_FAKE_SS_DIR: busy.dir,
      SYNQ_PROC_ROOT: join(busy.dir, "proc"),
    });
    expect(text).toMatch(/^Sysctls$/m);
    expect(text.match(/^│ 0\.0\.0\.0:\d+/gm)?.length).toBeGreaterThan(2);
    expect(text).not.toMatch(/more healthy|network namespaces?, |Netns/);
  });
});

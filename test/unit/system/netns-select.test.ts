import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode, SynqError } from "../../../src/errors.js";
import { selectNetns } from "../../../src/system/netns-select.js";

// Plain files stand in for namespace files: patterns work on scanNetns's labels and inodes
// alone. Exact names need real namespaces (nsfs): test/integration/status-netns-select.test.ts.
const root = mkdtempSync(join(tmpdir(), "synq-netns-select-"));
const runDir = join(root, "run-netns");
const procRoot = join(root, "proc");
mkdirSync(runDir);
afterAll(() => rmSync(root, { recursive: true, force: true }));

for (const name of ["cust-1", "cust-10", "cust-2", "db", "web"]) {
  writeFileSync(join(runDir, name), "");
}
// A second name for cust-2's namespace (`ip netns attach`, a bind mount): one namespace.
linkSync(join(runDir, "cust-2"), join(runDir, "zz-cust-2-alias"));
for (const pid of [42, 310]) {
  mkdirSync(join(procRoot, String(pid), "ns"), { recursive: true });
  writeFileSync(join(procRoot, String(pid), "ns", "net"), "");
}

const select = (specs: string[], all = false) => selectNetns(specs, { all, runDir, procRoot });
const names = async (specs: string[]) => (await select(specs)).targets.map((t) => t.name);

async function failure(specs: string[], all = false): Promise<SynqError> {
  const err = await select(specs, all).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SynqError);
  return err as SynqError;
}

describe("selectNetns: --netns patterns and repeats", () => {
  it("selects the namespaces whose labels match, in scan order, as a merged view", async () => {
    const sel = await select(["cust-1*"]);
    expect(sel.merged).toBe(true);
    expect(sel.targets).toEqual([
      { name: "cust-1", path: join(runDir, "cust-1") },
      { name: "cust-10", path: join(runDir, "cust-10") },
    ]);
  });

  it("matches pid:<n> labels of unnamed namespaces", async () => {
    expect(await names(["pid:*"])).toEqual(["pid:42", "pid:310"]);
    expect((await select(["pid:4?"])).targets).toEqual([
      { name: "pid:42", path: join(procRoot, "42", "ns", "net") },
    ]);
  });

  it("unites several specs without repeats, in scan order whatever order they came in", async () => {
    expect(await names(["web", "cust-?"]).catch(() => null)).toBeNull(); // "web" is no nsfs file
    expect(await names(["w*", "cust-[12]", "*b"])).toEqual(["cust-1", "cust-2", "db", "web"]);
    expect(await names(["cust-2*", "cust-2*"])).toEqual(["cust-2"]);
  });

  it("matches every name of a namespace with two, and shows it once, under its label", async () => {
    expect(await names(["zz-*"])).toEqual(["cust-2"]);
    expect(await names(["*cust-2*"])).toEqual(["cust-2"]);
    expect(await names(["zz-*", "cust-?"])).toEqual(["cust-1", "cust-2"]);
  });

  it("never selects the namespace synq runs in, even with *", async () => {
    const all = await names(["*"]);
    expect(all).not.toContain("");
    expect(all).toEqual(["cust-1", "cust-10", "cust-2", "db", "web", "pid:42", "pid:310"]);
  });

  it("fails on a pattern that matches nothing, naming it (exit 3)", async () => {
    for (const specs of [["cust-9*"], ["cust-1*", "cust-9*"], ["cust-9*", "nope-*"]]) {
      const err = await failure(specs);
      expect(err.exitCode).toBe(ExitCode.badInput);
      expect(err.oneLine()).toBe(
        'no network namespace matches "cust-9*"; list them with `ip netns list`',
      );
    }
  });

  it("fails on an exact name that does not exist as one --netns does, pattern or not", async () => {
    for (const specs of [["gone"], ["cust-*", "gone"]]) {
      const err = await failure(specs);
      expect(err.exitCode).toBe(ExitCode.badInput);
      expect(err.oneLine()).toBe(
        `network namespace "gone" does not exist (no ${runDir}/gone); ` +
          "list the named namespaces with `ip netns list`",
      );
    }
  });
});

describe("selectNetns: no flag, one name, --all-netns", () => {
  it("reads the current namespace alone when nothing is asked for, not merged", async () => {
    expect(await select([])).toEqual({ targets: [{ name: "", path: null }], merged: false });
  });

  it("--all-netns: this namespace first, then every other one, merged", async () => {
    const sel = await select([], true);
    expect(sel.merged).toBe(true);
    expect(sel.targets.map((t) => t.name)).toEqual([
      "",
      "cust-1",
      "cust-10",
      "cust-2",
      "db",
      "web",
      "pid:42",
      "pid:310",
    ]);
  });

  it("refuses --all-netns with --netns as a usage error", async () => {
    expect((await failure(["web"], true)).exitCode).toBe(ExitCode.usage);
  });
});

describe("selectNetns for a long-running reader (vanishedOk: the exporter, each scrape)", () => {
  const again = (specs: string[]) => selectNetns(specs, { runDir, procRoot, vanishedOk: true });

  it("selects nothing for a pattern that matches nothing now, instead of failing", async () => {
    expect((await again(["gone-*"])).targets).toEqual([]);
    expect((await again(["gone-*", "cust-1*"])).targets.map((t) => t.name)).toEqual([
      "cust-1",
      "cust-10",
    ]);
  });

  it("keeps a name whose namespace is gone, to be skipped when read", async () => {
    expect(await again(["gone"])).toEqual({
      targets: [{ name: "gone", path: join(runDir, "gone") }],
      merged: false,
    });
    expect((await again(["gone", "cust-2*"])).targets).toEqual([
      { name: "cust-2", path: join(runDir, "cust-2") },
      { name: "gone", path: join(runDir, "gone") },
    ]);
    // Not when something that is not a namespace stands there: that is still an error.
    await expect(again(["web"])).rejects.toThrow(/is not a network namespace file/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanNetns } from "../../../src/system/netns.js";
import { NetnsLabels } from "../../../src/system/netns-labels.js";

// A /run/netns and a /proc with plain files standing in for namespace files: a namespace is
// its inode, as the tracer sees it (net->ns.inum).
const root = mkdtempSync(join(tmpdir(), "synq-netns-labels-"));
const runDir = join(root, "run-netns");
const proc = join(root, "proc");
mkdirSync(runDir);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function holder(pid: number): void {
  mkdirSync(join(proc, String(pid), "ns"), { recursive: true });
  writeFileSync(join(proc, String(pid), "ns", "net"), "");
}
const ino = (path: string) => statSync(path).ino;

describe("network namespace labels", () => {
  writeFileSync(join(runDir, "web"), "");
  writeFileSync(join(runDir, "db"), "");
  holder(310);
  holder(42);

  it("labels by /run/netns name, else pid:<n> of the lowest pid, own namespace first as ''", async () => {
    const found = await scanNetns(runDir, proc);
    expect(found.get(ino(join(runDir, "web")))?.name).toBe("web");
    expect(found.get(ino(join(runDir, "db")))?.name).toBe("db");
    expect(found.get(ino(join(proc, "42", "ns", "net")))?.name).toBe("pid:42");
    expect(found.get(ino(join(proc, "310", "ns", "net")))?.name).toBe("pid:310");
    expect(found.get(ino("/proc/self/ns/net"))?.name).toBe("");
    expect([...found.values()][0]?.name).toBe("");
  });

  it("rescans for an unknown inode at most once per interval, then answers from the cache", async () => {
    let now = 0;
    const labels = new NetnsLabels(runDir, proc, 1000, () => now);
    writeFileSync(join(runDir, "late"), "");
    const late = ino(join(runDir, "late"));
    expect(await labels.resolve(late)).toBe("late");
    expect(labels.known(late)).toBe("late");
    expect(await labels.resolve(1)).toBeNull();
    holder(500);
    const fresh = ino(join(proc, "500", "ns", "net"));
    expect(await labels.resolve(fresh)).toBeNull(); // scanned just now: not again yet
    now = 2000;
    expect(await labels.resolve(fresh)).toBe("pid:500");
  });
});

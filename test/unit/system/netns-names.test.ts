import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NetnsNames, scanNetnsNames } from "../../../src/system/netns-names.js";

const dir = mkdtempSync(join(tmpdir(), "synq-run-netns-"));

describe("network namespace names", () => {
  it("maps the inode of each /run/netns entry to its name", async () => {
    writeFileSync(join(dir, "web"), "");
    writeFileSync(join(dir, "db"), "");
    const names = await scanNetnsNames(dir);
    expect(names.get(statSync(join(dir, "web")).ino)).toBe("web");
    expect(names.get(statSync(join(dir, "db")).ino)).toBe("db");
    expect(await scanNetnsNames(join(dir, "missing"))).toEqual(new Map());
  });

  it("rescans for an unknown inode, then answers from the cache", async () => {
    let now = 0;
    const n = new NetnsNames(dir, 1000, () => now);
    writeFileSync(join(dir, "late"), "");
    const late = statSync(join(dir, "late")).ino;
    expect(await n.resolve(late)).toBe("late");
    expect(n.known(late)).toBe("late");
    expect(await n.resolve(1)).toBeNull();
    now = 2000;
    expect(await n.resolve(1)).toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });
});

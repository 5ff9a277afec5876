import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hasTool } from "../helpers/prerequisites.js";
import { cpioNewc } from "./cpio-newc.js";

describe.skipIf(!hasTool("cpio"))("cpioNewc", () => {
  it("writes an archive GNU cpio lists with the right kinds, modes and sizes", () => {
    const archive = cpioNewc([
      { kind: "dir", path: "bin" },
      { kind: "file", path: "bin/hello", data: Buffer.from("hello\n"), mode: 0o755 },
      { kind: "symlink", path: "bin/sh", target: "hello" },
      { kind: "chardev", path: "console", major: 5, minor: 1 },
    ]);
    const listing = execFileSync("cpio", ["-t", "-v", "--quiet"], {
      input: archive,
      encoding: "utf8",
    });
    const lines = listing.trim().split("\n");
    expect(lines[0]).toMatch(/^drwxr-xr-x .* bin$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x .* 6 .* bin\/hello$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx .* bin\/sh -> hello$/);
    expect(lines[3]).toMatch(/^crw------- .* 5,\s+1 .* console$/);
  });
});

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../../src/errors.js";
import { checkWritable, writeFileAtomic } from "../../../src/system/write-file-atomic.js";
import { errorOf } from "../../helpers/synq-error.js";

describe("writeFileAtomic", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "synq-atomic-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates the file, then replaces it, leaving nothing else in the directory", () => {
    const path = join(dir, "synq.prom");
    writeFileAtomic(path, "first\n", "--textfile x");
    expect(readFileSync(path, "utf8")).toBe("first\n");
    writeFileAtomic(path, "second\n", "--textfile x");
    expect(readFileSync(path, "utf8")).toBe("second\n");
    expect(readdirSync(dir)).toEqual(["synq.prom"]);
  });

  it("refuses a directory that does not exist as bad input, naming it and the fix", () => {
    const err = errorOf(() => writeFileAtomic(join(dir, "nope", "synq.prom"), "x", "--textfile P"));
    expect(err.exitCode).toBe(ExitCode.badInput);
    expect(err.oneLine()).toMatch(
      /^cannot write --textfile P: directory .*nope does not exist; create it/,
    );
  });

  it("refuses a path that is a directory, and leaves no temporary file behind", () => {
    const target = join(dir, "is-a-dir");
    mkdirSync(target);
    writeFileSync(join(target, "keep"), "");
    const err = errorOf(() => writeFileAtomic(target, "x", "--textfile P"));
    expect(err.exitCode).toBe(ExitCode.badInput);
    expect(err.oneLine()).toMatch(/is a directory; give a file path/);
    expect(readdirSync(dir)).toEqual(["is-a-dir"]);
  });
});

describe("checkWritable", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "synq-writable-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts a new or existing file in a writable directory, creating nothing", () => {
    checkWritable(join(dir, "synq.prom"), "--textfile P");
    writeFileSync(join(dir, "old.prom"), "");
    checkWritable(join(dir, "old.prom"), "--textfile P");
    expect(readdirSync(dir)).toEqual(["old.prom"]);
  });

  it("fails as the write would: a missing directory, a file as directory, a directory as file", () => {
    writeFileSync(join(dir, "file"), "");
    mkdirSync(join(dir, "sub"));
    const cases = [
      [join(dir, "nope", "a.prom"), /directory .*nope does not exist/],
      [join(dir, "file", "a.prom"), /: .*file is not a directory; create it/],
      [join(dir, "sub"), /it is a directory/],
    ] as const;
    for (const [path, pattern] of cases) {
      const err = errorOf(() => checkWritable(path, "--textfile P"));
      expect(err.exitCode, path).toBe(ExitCode.badInput);
      expect(err.oneLine(), path).toMatch(pattern);
    }
  });
});

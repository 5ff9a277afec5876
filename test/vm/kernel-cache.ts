import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { PrivateApt } from "./debian-apt.js";
import { type KernelSpec, kernelMatrix } from "./kernels.js";
import { cacheDir } from "./paths.js";

/** A downloaded, extracted Debian kernel ready to boot. */
export interface KernelImage {
  series: string;
  suite: string;
  package: string;
  version: string;
  /** What `uname -r` prints once it has booted. */
  uname: string;
  vmlinuz: string;
  /** Host path of lib/modules/<uname>, with a modules.dep made by depmod. */
  modulesDir: string;
}

let apt: PrivateApt | undefined;
function privateApt(): PrivateApt {
  apt ??= new PrivateApt(
    join(cacheDir(), "apt"),
    kernelMatrix.map((kernel) => kernel.suite),
  );
  return apt;
}

function kernelDir(spec: KernelSpec): string {
  return join(cacheDir(), "kernels", spec.series);
}

function readCached(spec: KernelSpec): KernelImage | undefined {
  const manifest = join(kernelDir(spec), "kernel.json");
  if (!existsSync(manifest)) return undefined;
  const image = JSON.parse(readFileSync(manifest, "utf8")) as KernelImage;
  return existsSync(image.vmlinuz) && existsSync(join(image.modulesDir, "modules.dep"))
    ? image
    : undefined;
}

function extract(deb: string, root: string): string {
  execFileSync("dpkg-deb", ["-x", deb, root]);
  // trixie ships modules under usr/lib; the host's depmod (kmod 30) only looks in lib/.
  if (!existsSync(join(root, "lib")) && existsSync(join(root, "usr", "lib", "modules"))) {
    symlinkSync("usr/lib", join(root, "lib"));
  }
  const unames = readdirSync(join(root, "lib", "modules"));
  if (unames.length !== 1 || unames[0] === undefined) {
    throw new Error(`${deb} holds ${unames.length} module trees, expected one`);
  }
  execFileSync("depmod", ["-b", root, unames[0]]);
  return unames[0];
}

/**
 * The kernel of `spec`, from the cache or else downloaded with apt from the suite's
 * current linux-image-amd64. `refresh` re-resolves and re-downloads.
 */
export function ensureKernel(
  spec: KernelSpec,
  options: { refresh?: boolean; log?: (line: string) => void } = {},
): KernelImage {
  if (!options.refresh) {
    const cached = readCached(spec);
    if (cached !== undefined) return cached;
  }
  const log = options.log ?? (() => {});
  const pkg = privateApt().resolveDependency("linux-image-amd64", spec.suite, "linux-image-");
  log(`downloading ${pkg.name} ${pkg.version} from ${spec.suite}`);
  const finalDir = kernelDir(spec);
  const stagingDir = `${finalDir}.staging-${process.pid}`;
  rmSync(stagingDir, { recursive: true, force: true });
  mkdirSync(stagingDir, { recursive: true });
  try {
    const deb = privateApt().download(pkg, stagingDir);
    const root = join(stagingDir, "root");
    const uname = extract(deb, root);
    rmSync(deb);
    const relative = (path: string): string => join(finalDir, path);
    const image: KernelImage = {
      series: spec.series,
      suite: spec.suite,
      package: pkg.name,
      version: pkg.version,
      uname,
      vmlinuz: relative(join("root", "boot", `vmlinuz-${uname}`)),
      modulesDir: relative(join("root", "lib", "modules", uname)),
    };
    writeFileSync(join(stagingDir, "kernel.json"), `${JSON.stringify(image, null, 2)}\n`);
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(stagingDir, finalDir);
    return image;
  } finally {
    rmSync(stagingDir, { recursive: true, force: true });
  }
}

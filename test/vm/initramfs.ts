import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type CpioEntry, cpioNewc } from "./cpio-newc.js";
import type { KernelImage } from "./kernel-cache.js";
import {
  moduleLoadOrder,
  moduleName,
  parseModulesBuiltin,
  parseModulesDep,
} from "./kernel-modules.js";
import { harnessDir } from "./paths.js";

/** What the initramfs needs to reach the host's root: virtio PCI, its serial ports, 9p, overlayfs. */
export const bootModules = [
  "virtio_pci",
  "virtio_console",
  "9pnet_virtio",
  "9p",
  "overlay",
] as const;

const busyboxPath = "/bin/busybox";

function isStaticElf(bytes: Buffer): boolean {
  const PT_INTERP = 3;
  const phoff = Number(bytes.readBigUInt64LE(0x20));
  const phentsize = bytes.readUInt16LE(0x36);
  const phnum = bytes.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    if (bytes.readUInt32LE(phoff + i * phentsize) === PT_INTERP) return false;
  }
  return true;
}

function staticBusybox(): Buffer {
  const bytes = readFileSync(busyboxPath);
  if (!isStaticElf(bytes)) {
    throw new Error(
      `${busyboxPath} is dynamically linked: install Debian's busybox-static package.`,
    );
  }
  return bytes;
}

// Older busybox insmod cannot read compressed modules, so they go in decompressed.
function readModule(path: string): Buffer {
  if (path.endsWith(".gz")) return gunzipSync(readFileSync(path));
  if (path.endsWith(".xz")) return execFileSync("xz", ["-dc", path], { maxBuffer: 1 << 28 });
  if (path.endsWith(".zst")) return execFileSync("zstd", ["-dcq", path], { maxBuffer: 1 << 28 });
  return readFileSync(path);
}

/** Builds the initramfs (busybox, the boot modules in load order, /init) for one kernel. */
export function buildInitramfs(kernel: KernelImage): Buffer {
  const deps = parseModulesDep(readFileSync(join(kernel.modulesDir, "modules.dep"), "utf8"));
  const builtin = parseModulesBuiltin(
    readFileSync(join(kernel.modulesDir, "modules.builtin"), "utf8"),
  );
  const order = moduleLoadOrder(bootModules, deps, builtin);
  const modules: CpioEntry[] = order.map((path) => ({
    kind: "file",
    path: `modules/${moduleName(path)}.ko`,
    data: readModule(join(kernel.modulesDir, path)),
  }));
  const loadOrder = order.map((path) => `${moduleName(path)}.ko\n`).join("");
  return cpioNewc([
    ...["bin", "sbin", "dev", "proc", "sys", "modules"].map(
      (path): CpioEntry => ({ kind: "dir", path }),
    ),
    { kind: "chardev", path: "dev/console", major: 5, minor: 1 },
    { kind: "file", path: "bin/busybox", data: staticBusybox(), mode: 0o755 },
    { kind: "symlink", path: "bin/sh", target: "busybox" },
    {
      kind: "file",
      path: "init",
      data: readFileSync(join(harnessDir, "guest-init.sh")),
      mode: 0o755,
    },
    {
      kind: "file",
      path: "sbin/chroot-modprobe",
      data: readFileSync(join(harnessDir, "chroot-modprobe.sh")),
      mode: 0o755,
    },
    ...modules,
    { kind: "file", path: "modules/load-order", data: Buffer.from(loadOrder) },
  ]);
}

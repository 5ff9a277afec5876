import { describe, expect, it } from "vitest";
import {
  moduleLoadOrder,
  moduleName,
  parseModulesBuiltin,
  parseModulesDep,
} from "./kernel-modules.js";

// Excerpt of Debian 6.1's modules.dep (depmod lists each module's full dependency closure).
const modulesDep = `kernel/fs/netfs/netfs.ko:
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
kernel/net/9p/9pnet.ko:
kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
kernel/drivers/virtio/virtio.ko:
kernel/drivers/virtio/virtio_ring.ko:
kernel/fs/overlayfs/overlay.ko.xz:
`;

describe("moduleName", () => {
  it("strips the directory, .ko and compression, and normalises dashes", () => {
    expect(moduleName("kernel/net/9p/9pnet_virtio.ko.xz")).toBe("9pnet_virtio");
    expect(moduleName("kernel/drivers/virtio/virtio-mmio.ko")).toBe("virtio_mmio");
  });
});

describe("moduleLoadOrder", () => {
  const deps = parseModulesDep(modulesDep);

  it("puts every dependency before the module that needs it, each once", () => {
    const order = moduleLoadOrder(["9pnet_virtio", "9p"], deps, new Set());
    expect(order).toEqual([
      "kernel/net/9p/9pnet.ko",
      "kernel/drivers/virtio/virtio_ring.ko",
      "kernel/drivers/virtio/virtio.ko",
      "kernel/net/9p/9pnet_virtio.ko",
      "kernel/fs/netfs/netfs.ko",
      "kernel/fs/fscache/fscache.ko",
      "kernel/fs/9p/9p.ko",
    ]);
  });

  it("skips built-in modules and finds compressed ones", () => {
    const builtin = parseModulesBuiltin("kernel/drivers/virtio/virtio_pci.ko\n");
    expect(moduleLoadOrder(["virtio_pci", "overlay"], deps, builtin)).toEqual([
      "kernel/fs/overlayfs/overlay.ko.xz",
    ]);
  });

  it("refuses a dependency cycle rather than looping", () => {
    const cyclic = parseModulesDep("a.ko: b.ko\nb.ko: a.ko\n");
    expect(() => moduleLoadOrder(["a"], cyclic, new Set())).toThrow(/cycle: a → b → a/);
  });

  it("refuses a module the kernel lacks", () => {
    expect(() => moduleLoadOrder(["virtio_console"], deps, new Set())).toThrow(
      /virtio_console neither built in/,
    );
  });
});

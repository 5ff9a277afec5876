import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // test/vm-guest runs only inside the kernel-matrix VMs (npm run test:vm).
    exclude: [...configDefaults.exclude, "test/vm-guest/**"],
    // Integration tests share the kernel's loopback and CPU: run files one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

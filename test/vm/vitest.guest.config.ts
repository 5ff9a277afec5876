// vitest config used inside the VMs: the project's own, plus test/vm-guest (which the
// host run excludes), minus the host-side harness test, with timeouts for emulated CPUs.
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import projectConfig from "../../vitest.config.js";

const emulationSlowdown = 4;

export default defineConfig({
  ...projectConfig,
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    ...projectConfig.test,
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "test/vm-harness.test.ts", "test/vm/**"],
    testTimeout: (projectConfig.test?.testTimeout ?? 5_000) * emulationSlowdown,
    hookTimeout: (projectConfig.test?.hookTimeout ?? 10_000) * emulationSlowdown,
  },
});

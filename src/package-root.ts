import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SynqError } from "./errors.js";

/** The package root: the nearest directory above this module that holds package.json. */
export function packageRoot(from: string = import.meta.url): string {
  // src/*.ts (tests, tsx) and the bundled dist/ files sit at different depths.
  let dir = dirname(fileURLToPath(from));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir)
      throw new SynqError("missingTool", "cannot find synq's package directory", "reinstall synq");
    dir = up;
  }
  return dir;
}

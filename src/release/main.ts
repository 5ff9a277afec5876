// The single executable's script (scripts/release.mjs bundles it as one CommonJS file, the
// only kind a Node single executable application runs): bin/run.js's steps, with oclif's
// configuration from the package.json baked in at build time.
import { dirname } from "node:path";
import { exitWhenWritten, type PackageJson, runCliWith } from "../cli.js";
import { startEarly } from "../early-start.js";

declare const SYNQ_PACKAGE_JSON: PackageJson;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  await startEarly(argv);
  await runCliWith(argv, dirname(process.execPath), SYNQ_PACKAGE_JSON);
  await exitWhenWritten();
}

void main();

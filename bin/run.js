#!/usr/bin/env node
import { startEarly } from "../dist/early-start.js";

// Before oclif loads: `synq status` starts its socket reads now (see src/early-start.ts).
await startEarly(process.argv.slice(2));
// oclif checks its own package.json's engines as it loads; bundled into dist it cannot find that
// file, so the check only costs loading semver. npm checks synq's engines at install.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= "1";
const { runCli } = await import("../dist/cli.js");
await runCli(process.argv.slice(2), import.meta.url);

// The command is done: exit now rather than when the event loop empties, where a last garbage
// collection or a file request nobody waits for can still cost ~20 ms. Output a pipe has not
// taken yet is written first.
const written = (stream) =>
  stream.writableLength === 0 || stream.destroyed
    ? null
    : new Promise((resolve) => {
        stream.once("drain", resolve);
        stream.once("close", resolve);
        stream.once("error", resolve);
      });
await Promise.all([written(process.stdout), written(process.stderr)]);
process.exit();

#!/usr/bin/env node
import { startEarly } from "../dist/early-start.js";

// Before oclif loads: `synq status` starts its socket reads now (see src/early-start.ts).
await startEarly(process.argv.slice(2));
// oclif checks its own package.json's engines as it loads; bundled into dist it cannot find that
// file, so the check only costs loading semver. npm checks synq's engines at install.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= "1";
const { runCli, exitWhenWritten } = await import("../dist/cli.js");
await runCli(process.argv.slice(2), import.meta.url);
await exitWhenWritten();

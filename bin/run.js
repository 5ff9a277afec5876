#!/usr/bin/env node
import { startEarly } from "../dist/early-start.js";

// Before oclif loads: `synq status` starts its socket reads now (see src/early-start.ts).
await startEarly(process.argv.slice(2));
const { execute } = await import("../dist/cli.js");
await execute({ dir: import.meta.url });

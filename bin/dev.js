#!/usr/bin/env -S node --import tsx
// bin/run.js from the TypeScript sources: the same way into oclif, without the bundle.
process.env.NODE_ENV = "development";
const { runCli } = await import("../src/cli.ts");
await runCli(process.argv.slice(2), import.meta.url);

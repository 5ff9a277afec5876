#!/usr/bin/env -S node --import tsx
// bin/run.js from the TypeScript sources: the same steps (early start, oclif, exit once the
// output is written), without the bundle.
import { startEarly } from "../src/early-start.ts";

process.env.NODE_ENV = "development";
// As in bin/run.js: `synq status` starts its socket reads before oclif loads. On a host with
// many open files this also starts the socket-owner scan in a worker thread, whose file
// (owner-scan-worker.js) exists only in dist/; from the sources the worker fails to load and
// the scan runs on the main thread instead (same result, without the head start).
await startEarly(process.argv.slice(2));
const { runCli, exitWhenWritten } = await import("../src/cli.ts");
await runCli(process.argv.slice(2), import.meta.url);
await exitWhenWritten();

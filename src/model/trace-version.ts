/**
 * Version of the `synq trace-drops --json` records (src/model/trace.ts), bumped on any
 * incompatible change. Apart from the schema so code that only builds records skips zod.
 */
export const TRACE_SCHEMA_VERSION = 1;

/**
 * Versions of the JSON documents synq prints, bumped on any incompatible change. Kept apart
 * from the zod schemas so code that only builds a document does not load zod.
 */
export const STATUS_SCHEMA_VERSION = 1;
export const COOKIE_SCHEMA_VERSION = 1;
/** `synq trace-drops --json` records (src/model/trace.ts). */
export const TRACE_SCHEMA_VERSION = 1;

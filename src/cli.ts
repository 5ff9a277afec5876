// bin/run.js's way into oclif: bundled with the commands, so both share one copy of @oclif/core
// that loads as a single file instead of ~160 CommonJS modules resolved one by one.
export { execute } from "@oclif/core";

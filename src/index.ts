import DecodeCookie from "./commands/decode-cookie.js";
import Export from "./commands/export.js";
import Status from "./commands/status.js";
import TraceDrops from "./commands/trace-drops.js";
import Watch from "./commands/watch.js";

/**
 * Every command, for oclif's explicit command strategy: the CLI ships as one bundled file,
 * which starts far faster than resolving a hundred ESM modules one by one.
 */
export const COMMANDS = {
  status: Status,
  "decode-cookie": DecodeCookie,
  "trace-drops": TraceDrops,
  export: Export,
  watch: Watch,
};

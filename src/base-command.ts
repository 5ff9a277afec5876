import { Command } from "@oclif/core";
import { SynqError } from "./errors.js";
import { writeJsonText } from "./render/json-text.js";

/**
 * Shared behaviour of every synq command: a SynqError becomes one line on stderr and its
 * exit code; anything unexpected is still reported in one line (with SYNQ_DEBUG=1 for the stack).
 */
export abstract class SynqCommand extends Command {
  // oclif colourises JSON token by token: seconds and hundreds of MB for 10,000 listeners.
  // Indented for a terminal, compact for a pipe or file (half the bytes for jq and scripts).
  override logJson(json: unknown): void {
    const { stdout } = process;
    if (stdout.isTTY) {
      stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return;
    }
    // A piece's bytes can be reused once the stream holds none of them (written synchronously).
    writeJsonText(json, (bytes) => {
      stdout.write(bytes);
      return stdout.writableLength === 0;
    });
    stdout.write("\n");
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }) {
    if (err instanceof SynqError) {
      this.logToStderr(`synq: ${err.oneLine()}`);
      this.exit(err.exitCode);
    }
    // oclif's own errors (usage, unknown flag, this.exit) keep their handling.
    if (err.oclif) return super.catch(err);
    if (process.env.SYNQ_DEBUG) this.logToStderr(err.stack ?? String(err));
    this.logToStderr(
      `synq: unexpected error: ${err.message}; rerun with SYNQ_DEBUG=1 and report it`,
    );
    this.exit(1);
  }
}

import { Command } from "@oclif/core";
import { failureOf } from "./cli-errors.js";
import { writeJsonText } from "./render/json-text.js";

/**
 * Shared behaviour of every synq command: a SynqError, a usage error or anything unexpected
 * becomes one line on stderr and its exit code (SYNQ_DEBUG=1 adds the stack of the unexpected).
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

  // Not oclif's catch: under --json it prints the error object (oclif's whole configuration)
  // on stdout and nothing on stderr. A failure is one line on stderr in every output mode.
  protected override async catch(err: Error): Promise<void> {
    const { line, exitCode } = failureOf(err, this.id);
    if (line !== null) process.stderr.write(`${line}\n`);
    this.exit(exitCode);
  }
}

import { Flags } from "@oclif/core";
import { SynqCommand } from "../base-command.js";
import { selectionFlags } from "../selection-flags.js";
import { attachFlags } from "../trace/flags.js";

/** `synq watch`: the live terminal dashboard. */
export default class Watch extends SynqCommand {
  static override summary =
    "Live dashboard: every listener's queues, drop and cookie rates over time, the live drop log, findings.";
  static override description =
    "Samples as `synq status --interval` does, every --interval seconds, and shows every listener's accept and SYN queues with drops/s, line charts of the selected listener and its namespace's counters, the tracer's live drop log (root; --no-trace to sample only) and the findings. Keys: q quit, p pause, s sort, ↑/↓ select, ? help. Needs a terminal.";
  static override examples = [
    "<%= config.bin %> watch",
    "<%= config.bin %> watch --port 443 --interval 2",
    "<%= config.bin %> watch --netns web --netns db",
    "<%= config.bin %> watch --all-netns --no-trace",
  ];
  static override flags = {
    ...selectionFlags,
    interval: Flags.string({ summary: "Seconds between samples (default 1)." }),
    "no-trace": Flags.boolean({ summary: "Sample only: no tracer, no live drop log." }),
    ...attachFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Watch);
    // Loaded on demand: other commands do not pay for blessed.
    const { runWatch } = await import("../watch/watch-service.js");
    await runWatch({
      port: flags.port,
      netns: flags.netns,
      allNetns: flags["all-netns"],
      interval: flags.interval,
      noTrace: flags["no-trace"],
      strategy: flags.strategy,
      tcHook: flags["tc-hook"],
      cgroup: flags.cgroup,
      procRoot: process.env.SYNQ_PROC_ROOT || undefined,
    });
  }
}

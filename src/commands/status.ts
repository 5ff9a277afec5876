import { Flags } from "@oclif/core";
import { SynqCommand } from "../base-command.js";
import { ExitCode } from "../errors.js";
import type { Status } from "../model/status.js";
import { selectionFlags } from "../selection-flags.js";

export default class StatusCommand extends SynqCommand {
  static override summary =
    "Snapshot of listen queues, SYN queues, drops, SYN cookies and what to fix.";
  static override description =
    "Reads the SYN-related sysctls, every TCP listener's accept queue and SYN queue (ss), the " +
    "kernel's TcpExt/Tcp counters, and reports findings with a concrete fix for each.";
  static override enableJsonFlag = true;
  static override examples = [
    "<%= config.bin %> status",
    "<%= config.bin %> status --port 443 --interval 5",
    "<%= config.bin %> status --netns web --json",
    "<%= config.bin %> status --netns 'cust-*' --netns db",
    "<%= config.bin %> status --all-netns --check",
    "<%= config.bin %> status --all-netns --top 0",
  ];
  static override flags = {
    ...selectionFlags,
    interval: Flags.string({ summary: "Sample twice, S seconds apart, and show rates." }),
    top: Flags.string({
      summary:
        "With --all-netns: show at most N healthy listeners and N namespaces' counters (default 20; 0 shows all).",
    }),
    check: Flags.boolean({
      summary: "Exit 2 when a warning or critical finding exists (for cron/monitoring).",
    }),
    color: Flags.boolean({
      summary: "Colour the tables (default: when stdout is a terminal).",
      allowNo: true,
      default: true,
    }),
  };

  async run(): Promise<Status> {
    const { flags } = await this.parse(StatusCommand);
    // Loaded on demand: `synq --help` and other commands do not pay for them.
    const { statusReport } = await import("../status/status-report.js");
    const { status, failing, merged, top } = await statusReport({
      port: flags.port,
      netns: flags.netns,
      allNetns: flags["all-netns"],
      interval: flags.interval,
      top: flags.top,
      procRoot: process.env.SYNQ_PROC_ROOT || undefined,
    });
    if (!this.jsonEnabled()) {
      const { palette } = await import("../render/colour.js");
      const p = palette(process.stdout, process.env, !flags.color);
      if (merged) {
        const { renderMergedStatus } = await import("../render/status-merged.js");
        this.log(renderMergedStatus(status, top, p));
      } else {
        const { renderStatus } = await import("../render/status-table.js");
        this.log(renderStatus(status, p));
      }
    }
    // exitCode rather than this.exit(): oclif must still print the JSON result.
    if (flags.check && failing) process.exitCode = ExitCode.findings;
    return status;
  }
}

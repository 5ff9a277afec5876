import { Flags } from "@oclif/core";
import { SynqCommand } from "../base-command.js";
import { selectionFlags } from "../selection-flags.js";

/** `synq export`: the listeners' queue metrics in Prometheus's text format. */
export default class ExportCommand extends SynqCommand {
  static override summary =
    "Write listen-queue metrics for Prometheus to a file (node_exporter's textfile collector).";
  static override description =
    "Collects once, as `synq status` does, and replaces --textfile PATH atomically with the " +
    "Prometheus text exposition: per-listener accept and SYN queues and drops, the namespaces' " +
    "TcpExt/Tcp counters and sysctls, and the findings. Run it from cron or a systemd timer " +
    "into node_exporter's --collector.textfile.directory. This version writes only a file; " +
    "it serves no HTTP endpoint.";
  static override examples = [
    "<%= config.bin %> export --textfile /var/lib/prometheus/node-exporter/synq.prom",
    "<%= config.bin %> export --textfile /var/lib/prometheus/node-exporter/synq.prom --all-netns",
    "<%= config.bin %> export --textfile /tmp/web.prom --netns web --port 443",
  ];
  static override flags = {
    textfile: Flags.string({
      summary: "Write the metrics to this file (replaced atomically); required in this version.",
    }),
    ...selectionFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ExportCommand);
    // Loaded on demand: prom-client and the collection cost nothing to other commands.
    const { exportTextfile } = await import("../export/textfile-export.js");
    await exportTextfile({
      textfile: flags.textfile,
      port: flags.port,
      netns: flags.netns,
      allNetns: flags["all-netns"],
      procRoot: process.env.SYNQ_PROC_ROOT || undefined,
      version: this.config.version,
    });
  }
}

import { Flags } from "@oclif/core";
import { SynqCommand } from "../base-command.js";
import { selectionFlags } from "../selection-flags.js";
import { attachFlags } from "../trace/flags.js";

/** `synq export`: the listeners' queue metrics for Prometheus, served or written to a file. */
export default class ExportCommand extends SynqCommand {
  static override summary =
    "Serve listen-queue metrics to Prometheus, or write them to a file for node_exporter.";
  static override description =
    "Serves GET /metrics (Prometheus text or OpenMetrics, as the scraper asks) with what " +
    "`synq status` reads: per-listener accept and SYN queues and drops, the namespaces' " +
    "TcpExt/Tcp counters and sysctls, and the findings. Concurrent scrapes share one " +
    "collection. Loopback only unless --listen says otherwise; TLS and basic authentication " +
    "through an exporter-toolkit --web-config. With --textfile it collects once and replaces " +
    "the file atomically instead (node_exporter's textfile collector, cron).";
  static override examples = [
    "<%= config.bin %> export",
    "<%= config.bin %> export --all-netns --listen :7967 --web-config /etc/synq/web.yml",
    "<%= config.bin %> export --netns 'cust-*' --max-series 20000",
    "<%= config.bin %> export --textfile /var/lib/prometheus/node-exporter/synq.prom --all-netns",
    "sudo <%= config.bin %> export --all-netns --trace --peak-window 30",
    "sudo <%= config.bin %> export --trace --textfile /var/lib/prometheus/node-exporter/synq.prom --duration 50",
  ];
  static override flags = {
    listen: Flags.string({
      summary:
        "Address to serve on: HOST:PORT, [IPv6]:PORT, or :PORT for every interface (default 127.0.0.1:7967).",
    }),
    "web-config": Flags.string({
      summary: "exporter-toolkit web config (YAML): TLS certificate and key, basic_auth_users.",
    }),
    textfile: Flags.string({
      summary:
        "Collect once and write the metrics to this file (replaced atomically); serves nothing.",
      exclusive: ["listen", "web-config"],
    }),
    "max-series": Flags.string({
      summary: "At most N listener series per scrape, listeners with problems first.",
    }),
    trace: Flags.boolean({
      summary:
        "Also load the drop tracer (root): exact drops per listener and reason, and each listener's peak accept queue over --peak-window.",
    }),
    ...attachFlags,
    "peak-window": Flags.string({
      summary:
        "With --trace: seconds the peak accept-queue gauge is the maximum over (default 15); no scrape resets it.",
    }),
    duration: Flags.string({
      summary: "With --textfile and --trace (required there): trace this many seconds, then write.",
    }),
    ...selectionFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ExportCommand);
    // Loaded on demand: the server and the collection cost other commands nothing.
    const { runExport } = await import("../export/export-service.js");
    await runExport({
      textfile: flags.textfile,
      listen: flags.listen,
      webConfig: flags["web-config"],
      maxSeries: flags["max-series"],
      trace: flags.trace,
      strategy: flags.strategy,
      tcHook: flags["tc-hook"],
      cgroup: flags.cgroup,
      peakWindow: flags["peak-window"],
      duration: flags.duration,
      port: flags.port,
      netns: flags.netns,
      allNetns: flags["all-netns"],
      procRoot: process.env.SYNQ_PROC_ROOT || undefined,
      version: this.config.version,
    });
  }
}

/**
 * `synq export` at scale (root): a scrape of GET /metrics at N listeners and M SYN-RECV entries
 * as a ratio to `synq status --json` in the same rounds (budget ≤ 1.1×; the exporter is warm,
 * status starts a process each time), and the exporter's RSS after 1,000 scrapes against after
 * 100 (budget ≤ 5 % growth). Same namespace and quiet window as status-at-scale.ts.
 *
 * `npx tsx bench/export-scrape.ts [LISTENERS SYN_RECV SCRAPES]` (default 10000 100000 1000).
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { startExport } from "../test/helpers/export-server.js";
import { median, wall } from "./measure.js";
import { atScale, untilQuiet } from "./status-at-scale.js";

const BIN = fileURLToPath(new URL("../bin/run.js", import.meta.url));

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One scrape: ms until the whole body is in, and its size. */
function scrape(port: number, accept?: string): Promise<{ ms: number; bytes: number }> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/metrics",
        agent,
        headers: accept ? { Accept: accept } : {},
      },
      (res) => {
        let bytes = 0;
        res.on("data", (d: Buffer) => {
          bytes += d.length;
        });
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`scrape answered ${res.statusCode}`));
          else resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, bytes });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** VmRSS of a process, KiB. */
function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1]);
}

const OPENMETRICS = "application/openmetrics-text;version=1.0.0";

/** Runs one size; returns the medians, the ratio and the RSS figures. */
export async function exportScrape(listeners: number, synRecv: number, scrapes = 1000, rounds = 7) {
  return atScale(listeners, synRecv, async ({ ns, readyAt, listening, seen }) => {
    const server = await startExport(["--netns", ns, "--listen", "127.0.0.1:0"]);
    try {
      const pid = server.child.pid as number;
      const status = [BIN, "status", "--netns", ns, "--json"];
      const statusMs: number[] = [];
      const scrapeMs: number[] = [];
      const openMetricsMs: number[] = [];
      let bytes = 0;
      await scrape(server.port); // the owner cache, warm as a running exporter's is
      await untilQuiet(readyAt);
      for (let i = 0; i < rounds; i++) {
        statusMs.push(wall(process.execPath, status));
        console.error(`export-scrape: round ${i + 1}/${rounds}`);
        const s = await scrape(server.port);
        scrapeMs.push(s.ms);
        bytes = s.bytes;
        openMetricsMs.push((await scrape(server.port, OPENMETRICS)).ms);
      }
      // Memory: after 100 scrapes and after `scrapes` (the rounds above count too).
      const rssAt = new Map<number, number>();
      for (let n = 1 + 2 * rounds; n <= scrapes; n++) {
        await scrape(server.port, n % 2 ? OPENMETRICS : undefined);
        if (n === 100 || n % 250 === 0 || n === scrapes) {
          rssAt.set(n, rssKiB(pid));
          console.error(
            `export-scrape: RSS after ${n} scrapes: ${Math.round(rssKiB(pid) / 1024)} MiB`,
          );
        }
      }
      const rss100 = rssAt.get(100) ?? Number.NaN;
      const rssEnd = rssAt.get(scrapes) ?? Number.NaN;
      return {
        listeners: listening,
        synRecv: seen,
        statusJsonMs: Math.round(median(statusMs)),
        scrapeMs: Math.round(median(scrapeMs)),
        ratio: Math.round((median(scrapeMs) / median(statusMs)) * 100) / 100,
        budget: 1.1,
        openMetricsScrapeMs: Math.round(median(openMetricsMs)),
        expositionMiB: Math.round((bytes / 1024 / 1024) * 10) / 10,
        rssMiB: Object.fromEntries([...rssAt].map(([n, kib]) => [n, Math.round(kib / 1024)])),
        rssGrowth: Math.round((rssEnd / rss100 - 1) * 1000) / 1000,
        rssGrowthBudget: 0.05,
      };
    } finally {
      await server.stop();
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [l = "10000", s = "100000", n = "1000"] = process.argv.slice(2);
  console.log(JSON.stringify(await exportScrape(Number(l), Number(s), Number(n))));
  agent.destroy();
}

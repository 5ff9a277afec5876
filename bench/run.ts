/**
 * synq's benchmarks: `npm run bench` (root for the status-at-scale, status-netns-scale,
 * watch-responsiveness and export-scrape parts).
 * Every figure is a ratio against a baseline measured in the same run, or a rate.
 */
import { exportScrape } from "./export-scrape.js";
import { parserThroughput } from "./parser-throughput.js";
import { startup } from "./startup.js";
import { kernelAndTools, statusAtScale } from "./status-at-scale.js";
import { statusNetnsScale } from "./status-netns-scale.js";
import { watchCpu, watchResponsiveness, watchRss } from "./watch-responsiveness.js";

const results: Record<string, unknown> = { machine: kernelAndTools() };
results.parsers = parserThroughput();
console.log(JSON.stringify(results.parsers));
results.startup = startup();
console.log(JSON.stringify(results.startup));
if (process.getuid?.() === 0) {
  for (const [l, s] of [
    [1_000, 10_000],
    [10_000, 100_000],
  ] as const) {
    const r = await statusAtScale(l, s);
    console.log(JSON.stringify(r));
    results[`status_${l}x${s}`] = r;
  }
  const r = await statusNetnsScale();
  console.log(JSON.stringify(r));
  results.status_all_netns_1000x10 = r;
  const w = await watchResponsiveness();
  console.log(JSON.stringify(w));
  results.watch_event_loop_10000x100000 = w;
  const c = await watchCpu();
  console.log(JSON.stringify(c));
  results.watch_cpu_1000 = c;
  const m = await watchRss();
  console.log(JSON.stringify(m));
  results.watch_rss_1000 = m;
  const e = await exportScrape(10_000, 100_000);
  console.log(JSON.stringify(e));
  results.export_scrape_10000x100000 = e;
} else {
  console.log(
    "status-at-scale, status-netns-scale, watch-responsiveness and export-scrape skipped: need root (network namespaces)",
  );
}
console.log(JSON.stringify(results, null, 2));

/**
 * `synq watch` at scale. Responsiveness: the main thread's event-loop delay (p99, from
 * perf_hooks.monitorEventLoopDelay) while the dashboard polls 10,000 listeners and 100,000
 * SYN-RECV entries every second (budget ≤ 100 ms), with samples on the sampling thread as synq
 * takes them, and, as the baseline in the same run, with the same samples taken on the main
 * thread. The whole tick runs as in synq: the poll loop, the frame model, and blessed drawing
 * every frame at 80×24 into a stand-in terminal. CPU: a real `synq watch` in tmux (80×24) over
 * 1,000 listeners at the default 1 s interval, its user + system time over 30 s of wall time
 * from /proc/PID/stat, every thread included (budget ≤ 0.10 core). Memory: the same real
 * `synq watch --no-trace`, its RSS each minute for 10 minutes (budget ≤ 5 % growth from the
 * first minute to the tenth).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  advance,
  applyKey,
  buildFrame,
  initialState,
  type WatchContext,
} from "../src/watch/frame-model.js";
import { PollLoop } from "../src/watch/poll-loop.js";
import {
  inThreadSampler,
  type StatusSampler,
  sampleWorkerFile,
  workerSampler,
} from "../src/watch/sampler.js";
import { openScreen } from "../src/watch/screen.js";
import { childrenOf, startInTmux } from "../test/helpers/tmux.js";
import { atScale } from "./status-at-scale.js";

const BIN = fileURLToPath(new URL("../bin/run.js", import.meta.url));

/** A terminal that takes whatever blessed draws: 80×24, output discarded. */
function standInTerminal() {
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
  output.resume();
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  return { input, output };
}

/** Runs the dashboard's loop for `ticks` ticks; the event-loop delay's p99/max and tick time. */
async function pollFor(sampler: StatusSampler, ticks: number) {
  const ctx: WatchContext = {
    host: "bench",
    intervalSeconds: 1,
    allNetns: false,
    tracing: { on: false, reason: "--no-trace" },
    filterDrops: false,
  };
  const { screen, dashboard } = openScreen({ TERM: "xterm-256color" }, standInTerminal());
  let state = initialState(ctx);
  let n = 0;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const loop: PollLoop = new PollLoop({ sampler, trace: null }, 1000, (input) => {
    state = advance(state, input, ctx);
    // A key now and then, as a person scrolling would.
    if (n % 3 === 0) state = applyKey(state, "down");
    dashboard.render(buildFrame(state, ctx));
    if (++n === 1) histogram.enable(); // from the first frame on: start-up is not polling
    if (n === ticks) loop.stop();
  });
  const started = performance.now();
  try {
    await loop.run();
  } finally {
    histogram.disable();
    screen.destroy();
    await sampler.close();
  }
  return {
    p99Ms: Math.round(histogram.percentile(99) / 1e5) / 10,
    maxMs: Math.round(histogram.max / 1e5) / 10,
    listeners: state.live.rows.length,
    secondsPerTick: Math.round((performance.now() - started) / ticks) / 1000,
  };
}

/** The event-loop delay of this process doing nothing: what the machine's load alone costs. */
async function idleFor(seconds: number) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await sleep(seconds * 1000);
  histogram.disable();
  return { p99Ms: Math.round(histogram.percentile(99) / 1e5) / 10 };
}

/** Event-loop delay at 10,000 listeners × 100,000 SYN-RECV: sampling thread vs main thread. */
export async function watchResponsiveness(listeners = 10_000, synRecv = 100_000, ticks = 15) {
  return atScale(listeners, synRecv, async ({ ns }) => {
    const req = {
      targets: [{ name: ns, path: `/run/netns/${ns}` }],
      reselect: null,
      port: null,
      skipVanished: false,
    };
    const idle = await idleFor(ticks);
    const onWorker = await pollFor(
      workerSampler(new Worker(sampleWorkerFile(), { workerData: req })),
      ticks,
    );
    const onMain = await pollFor(inThreadSampler(req), ticks);
    return {
      listeners: onWorker.listeners,
      synRecv,
      ticks,
      p99Ms: onWorker.p99Ms,
      maxMs: onWorker.maxMs,
      budgetP99Ms: 100,
      idleP99Ms: idle.p99Ms,
      mainThreadP99Ms: onMain.p99Ms,
      mainThreadMaxMs: onMain.maxMs,
      ratio: Math.round((onWorker.p99Ms / onMain.p99Ms) * 100) / 100,
      secondsPerTick: onWorker.secondsPerTick,
    };
  });
}

/** user + system clock ticks of a process, all its threads (/proc/PID/stat fields 14, 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** A real `synq watch` in tmux (80×24) over `ns` with `args`: `fn` gets its pid once it draws. */
async function withRealWatch<T>(
  ns: string,
  args: readonly string[],
  fn: (pid: number) => Promise<T>,
): Promise<T> {
  const pane = startInTmux([process.execPath, BIN, "watch", "--netns", ns, ...args], {
    env: { TERM: "xterm-256color" },
  });
  try {
    const sh = Number(pane.format("#{pane_pid}"));
    let pid: number | undefined;
    for (let i = 0; i < 100 && pid === undefined; i++) {
      pid = childrenOf(sh)[0];
      await sleep(100);
    }
    if (pid === undefined) throw new Error("synq watch did not start");
    await pane.waitFor((s) => /Listeners \d+\/\d+/.test(s), "the dashboard");
    return await fn(pid);
  } finally {
    pane.kill();
  }
}

/** A real `synq watch` over `listeners` listeners in tmux: its CPU use in cores. */
export async function watchCpu(listeners = 1_000, seconds = 30) {
  return atScale(listeners, 0, ({ ns }) =>
    withRealWatch(ns, ["--no-trace"], async (pid) => {
      await sleep(3000); // past start-up
      const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
      const t0 = performance.now();
      const c0 = cpuTicks(pid);
      await sleep(seconds * 1000);
      const cores = (cpuTicks(pid) - c0) / hz / ((performance.now() - t0) / 1000);
      return {
        listeners,
        intervalSeconds: 1,
        seconds,
        cores: Math.round(cores * 1000) / 1000,
        budget: 0.1,
      };
    }),
  );
}

/** Resident set size of a process (KiB), every thread's memory included (/proc/PID/status). */
function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/**
 * A real `synq watch --no-trace` over `listeners` listeners at the default 1 s interval: its
 * RSS each minute for `minutes` minutes, and the growth from the first minute to the last
 * (budget ≤ 5 %). Without the tracer, as the CPU figure: a tracer's programs are global, and
 * tests running beside the benchmark check that none are left.
 */
export async function watchRss(listeners = 1_000, minutes = 10) {
  return atScale(listeners, 0, ({ ns }) =>
    withRealWatch(ns, ["--no-trace"], async (pid) => {
      const perMinuteMiB: number[] = [];
      for (let i = 1; i <= minutes; i++) {
        await sleep(60_000);
        perMinuteMiB.push(Math.round((rssKiB(pid) / 1024) * 10) / 10);
      }
      const first = perMinuteMiB[0] as number;
      const last = perMinuteMiB.at(-1) as number;
      return {
        listeners,
        intervalSeconds: 1,
        perMinuteMiB,
        growth: Math.round((last / first - 1) * 1000) / 1000,
        budget: 0.05,
      };
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `rss` alone: the 10-minute memory run by itself.
  if (process.argv[2] !== "rss") {
    console.log(JSON.stringify(await watchResponsiveness()));
    console.log(JSON.stringify(await watchCpu()));
  }
  console.log(JSON.stringify(await watchRss()));
}

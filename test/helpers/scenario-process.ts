/**
 * A process that builds a socket scenario in whatever network namespace it runs in
 * (`ip netns exec NS node --import tsx scenario-process.ts '<json>'`), prints `ready`, and
 * holds everything open until its stdin closes.
 *
 * - listeners: opened with libc, never accept(); `shareWith` spawns a second process
 *   (sleep) holding the same socket, as after fork().
 * - connect: real clients (node net) that complete handshakes, filling accept queues.
 * - rawSyns (sent first): spoofed SYNs from an unrouted-back range (see raw-syn.ts) that stay in SYN-RECV.
 *
 * After `ready`, a line `accept` on stdin accepts (and closes) every connection waiting on
 * every listener and answers `accepted N`. A line `burst HOST PORT COUNT HOLD_MS` connects
 * COUNT clients to HOST:PORT while no listener accepts, holds until every one is established
 * and HOLD_MS have passed since the first, then accepts every waiting connection at once (a
 * stalled application catching up) and answers `burst CONNECTED ACCEPTED`.
 */
import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { acceptAll, type ListenerSpec, openListener } from "./libc-socket.js";
import { buildSyn, type SynOptions, sendRaw } from "./raw-syn.js";

interface Scenario {
  listeners?: (ListenerSpec & { share?: boolean })[];
  /** Many listeners at once: `count` ports from `portFrom` (for benchmarks). */
  listenerRange?: { address: string; portFrom: number; count: number; backlog: number };
  connect?: { host: string; port: number; count: number; localAddress?: string }[];
  /** `count` SYNs, spread round-robin over `dportCount` ports from `dport` (default 1). */
  rawSyns?: {
    src: string;
    dst: string;
    dport: number;
    count: number;
    dportCount?: number;
    sportBase?: number;
    options?: SynOptions;
  }[];
  /** After `ready`: `count` more SYNs every `everyMs`, until stdin closes (a steady flood). */
  synStream?: { src: string; dst: string; dport: number; count: number; everyMs: number };
  settleMs?: number;
}

const scenario = JSON.parse(process.argv[2] ?? "{}") as Scenario;
const holders: ReturnType<typeof spawn>[] = [];
const clients: Socket[] = [];
const listenerFds: number[] = [];

for (const l of scenario.listeners ?? []) {
  const fd = openListener(l);
  listenerFds.push(fd);
  if (l.share) {
    holders.push(spawn("sleep", ["3600"], { stdio: ["ignore", "ignore", "ignore", fd] }));
  }
}
const range = scenario.listenerRange;
for (let i = 0; range && i < range.count; i++) {
  openListener({ address: range.address, port: range.portFrom + i, backlog: range.backlog });
}
for (const r of scenario.rawSyns ?? []) {
  const ports = r.dportCount ?? 1;
  const batch: Buffer[] = [];
  for (let i = 0; i < r.count; i++) {
    const sport = (r.sportBase ?? 40000) + Math.floor(i / ports);
    batch.push(buildSyn(r.src, sport, r.dst, r.dport + (i % ports), 0x1000 + i, r.options));
    if (batch.length === 1000 || i === r.count - 1) sendRaw(r.dst, batch.splice(0));
  }
}
for (const c of scenario.connect ?? []) {
  for (let i = 0; i < c.count; i++) {
    const s = connect({
      host: c.host,
      port: c.port,
      ...(c.localAddress ? { localAddress: c.localAddress } : {}),
    });
    s.on("error", () => {});
    clients.push(s);
  }
}
await sleep(scenario.settleMs ?? 500);
// Clients still in SYN-SENT would keep retransmitting into a full queue and move the
// kernel's drop counters while a test compares them: give up on those now.
for (const c of clients) if (c.pending || c.connecting) c.destroy();
process.stdout.write("ready\n");
const stream = scenario.synStream;
let streamed = 0;
const streaming =
  stream &&
  setInterval(() => {
    const batch = Array.from({ length: stream.count }, () => {
      streamed++;
      return buildSyn(stream.src, 1024 + (streamed % 64000), stream.dst, stream.dport, streamed);
    });
    sendRaw(stream.dst, batch);
  }, stream.everyMs);
/** See `burst` above: a stall of at least `holdMs` taking `count` connections, then a drain. */
async function burst(host: string, port: number, count: number, holdMs: number) {
  const started = Date.now();
  const burstClients = Array.from({ length: count }, () => connect({ host, port }));
  const outcomes = await Promise.all(
    burstClients.map(
      (c) =>
        new Promise<boolean>((resolve) => {
          c.once("connect", () => resolve(true));
          c.once("error", () => resolve(false));
        }),
    ),
  );
  const wait = started + holdMs - Date.now();
  if (wait > 0) await sleep(wait);
  const accepted = listenerFds.reduce((sum, fd) => sum + acceptAll(fd), 0);
  for (const c of burstClients) c.destroy();
  return `burst ${outcomes.filter(Boolean).length} ${accepted}\n`;
}

process.stdin.resume();
let input = "";
process.stdin.setEncoding("utf8").on("data", (d: string) => {
  input += d;
  for (let nl = input.indexOf("\n"); nl >= 0; nl = input.indexOf("\n")) {
    const line = input.slice(0, nl).trim();
    input = input.slice(nl + 1);
    if (line === "accept") {
      const n = listenerFds.reduce((sum, fd) => sum + acceptAll(fd), 0);
      process.stdout.write(`accepted ${n}\n`);
    }
    const b = /^burst (\S+) (\d+) (\d+) (\d+)$/.exec(line);
    if (b) {
      burst(b[1] as string, Number(b[2]), Number(b[3]), Number(b[4])).then(
        (answer) => process.stdout.write(answer),
        (e: Error) => process.stdout.write(`burst failed: ${e.message}\n`),
      );
    }
  }
});
process.stdin.on("end", () => {
  if (streaming) clearInterval(streaming);
  for (const h of holders) h.kill();
  for (const c of clients) c.destroy();
  process.exit(0);
});

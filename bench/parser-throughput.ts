/**
 * Parser throughput on generated `ss` output, in lines per second (budget: ≥ 1,000,000), and on
 * generated sock_diag dumps, in messages (sockets) per second. Each parser runs in a process of
 * its own on the same machine, as each runs in synq: one parser's garbage (a million lines of
 * SYN-RECV output) must not bill another's collections.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InetDiagDumpParser, TCP_SYN_RECV } from "../src/parsers/inet-diag.js";
import { parseSsListeners } from "../src/parsers/ss-listeners.js";
import { SynRecvCounter } from "../src/parsers/ss-syn-recv.js";

function synRecvLines(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    // Request sockets name the listener's address (1,000 listeners here) and a varying peer.
    const port = 8000 + (i % 1000);
    const local = i % 3 === 0 ? `[::ffff:10.0.0.1]:${port}` : `10.0.0.${1 + (i % 4)}:${port}`;
    const peer = `198.51.${(i >> 16) & 255}.${(i >> 8) & 255}:${1024 + (i % 60000)}`;
    lines.push(`0      0      ${local.padStart(24)}      ${peer}`);
  }
  return lines;
}

function listenerText(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      `LISTEN 0      4096          0.0.0.0:${1024 + (i % 60000)} 0.0.0.0:* users:(("nginx",pid=${100 + (i % 50)},fd=${6 + i}),("nginx",pid=99,fd=${6 + i})) ino:${40000 + i} sk:${i.toString(16)} cgroup:/system.slice/nginx.service <->`,
      "\t skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d12)",
    );
  }
  return `${out.join("\n")}\n`;
}

/**
 * 32 KiB datagrams of request-socket messages, as the kernel sends a SYN-RECV dump: a message
 * captured from a real kernel (a busy fixture) repeated with other local ports and addresses.
 */
function requestDatagrams(n: number, template: Buffer): Buffer[] {
  const datagrams: Buffer[] = [];
  const perDatagram = Math.floor(32768 / template.length);
  for (let i = 0; i < n; i += perDatagram) {
    const count = Math.min(perDatagram, n - i);
    const d = Buffer.alloc(count * template.length);
    for (let j = 0; j < count; j++) {
      const at = j * template.length;
      template.copy(d, at);
      d.writeUInt16BE(8000 + ((i + j) % 1000), at + 20); // idiag_sport: 1,000 listeners
      d[at + 27] = 1 + ((i + j) % 4); // idiag_src: 10.0.0.1-4
      d.writeUInt16BE(1024 + ((i + j) % 60000), at + 22); // idiag_dport
    }
    datagrams.push(d);
  }
  return datagrams;
}

/** The first IPv4 SYN-RECV message of a captured dump. */
function capturedRequestMessage(): Buffer {
  const dir = fileURLToPath(new URL("../fixtures/", import.meta.url));
  const kernel = readdirSync(dir).find((d) => d.includes("_iproute2-"));
  const dump = readFileSync(join(dir, kernel as string, "busy", "sock-diag-inet.bin"));
  for (let at = 0; at < dump.length; at += (dump.readUInt32LE(at) + 3) & ~3) {
    if (dump[at + 17] === TCP_SYN_RECV) {
      const msg = Buffer.from(dump.subarray(at, at + dump.readUInt32LE(at)));
      msg.writeUInt32LE(0, 56); // idiag_if: not device-bound
      return msg;
    }
  }
  throw new Error("no SYN-RECV message in the captured dump");
}

function linesPerSecond(lines: number, run: () => void, repeat = 1): number {
  run(); // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round((lines * repeat) / seconds);
}

const PARSERS = {
  synRecv: () => {
    // Fed in 64 KiB byte chunks, as ss's pipe delivers it.
    const bytes = Buffer.from(`${synRecvLines(1_000_000).join("\n")}\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    return linesPerSecond(1_000_000, () => {
      const c = new SynRecvCounter();
      for (const chunk of chunks) c.pushChunk(chunk);
      c.end();
      c.result();
    });
  },
  listeners: () => {
    // The at-scale case: 10,000 listeners (two lines each), parsed 50 times over.
    const listenersOut = listenerText(10_000);
    return linesPerSecond(20_000, () => parseSsListeners(listenersOut), 50);
  },
  sockDiag: () => {
    const datagrams = requestDatagrams(1_000_000, capturedRequestMessage());
    return linesPerSecond(1_000_000, () => {
      const p = new InetDiagDumpParser("bench");
      for (const d of datagrams) p.push(d);
      p.synRecv();
    });
  },
};

/** One parser's rate, measured in a fresh process (this file run with the parser's name). */
function measureAlone(parser: keyof typeof PARSERS): number {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, script, parser], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${parser} parser bench failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Measures every parser and returns its rate (lines or messages per second). */
export function parserThroughput() {
  return {
    synRecvLinesPerSecond: measureAlone("synRecv"),
    listenerLinesPerSecond: measureAlone("listeners"),
    sockDiagRequestsPerSecond: measureAlone("sockDiag"),
    budget: 1_000_000,
  };
}

const parser = process.argv[2];
if (process.argv[1] === fileURLToPath(import.meta.url) && parser && parser in PARSERS) {
  console.log(PARSERS[parser as keyof typeof PARSERS]());
}

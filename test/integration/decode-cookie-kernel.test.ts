/**
 * decode-cookie against real cookies from the running kernel.
 *
 * Two network namespaces joined by a veth pair: the server namespace has
 * net.ipv4.tcp_syncookies=2 (a cookie for every SYN) and tcp_timestamps=2 (TSval without a
 * per-host offset, so the option bits are on the wire); the client namespace gets its own
 * tcp_window_scaling / tcp_sack / tcp_ecn / tcp_rmem per case, so its SYN offers different
 * options. tcpdump captures SYN, SYN-ACK and ACK; then:
 *   - `decode-cookie --tsval` must return exactly the wscale/SACK/ECN the captured SYN offered;
 *   - `decode-cookie --kernel` must call the captured cookie (with the client's ACK) valid,
 *     a tampered one invalid, and generate the very cookie on the wire for the captured SYN
 *     (asked within the same minute: the capture avoids the last seconds of a minute).
 * The host's own sysctls and interfaces are never touched; both namespaces are deleted.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCookieTime } from "../../src/cookie/cookie-time.js";
import { ExitCode } from "../../src/errors.js";
import { atLeast, parseKernelRelease } from "../../src/kernel/version.js";
import { type CookieReport, CookieReportSchema } from "../../src/model/cookie.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";

const BIN = fileURLToPath(new URL("../../bin/run.js", import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL("../../dist/index.js", import.meta.url)));
const PORT = 8080;
const SERVER4 = "10.213.0.1";
const CLIENT4 = "10.213.0.2";
const SERVER6 = "fd00:213::1";
const CLIENT6 = "fd00:213::2";

const prerequisites = missing(
  isRoot && hasTool("ip") && hasTool("tcpdump") && BUILT,
  "root, ip, tcpdump and a build in dist/",
);

// ---------------------------------------------------------------- capture parsing (pcap)

/** What the test needs from one captured TCP segment. */
interface Segment {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  mss: number | null;
  wscale: number | null;
  sackOk: boolean;
  tsval: number | null;
  tsecr: number | null;
}

function ipText(b: Buffer): string {
  if (b.length === 4) return Array.from(b).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups
    .join(":")
    .replace(/(^|:)0(:0)+(:|$)/, "::")
    .replace(/:{3,}/, "::");
}

/** Reads a classic pcap file of Ethernet frames (what tcpdump -w writes) into TCP segments. */
function readPcap(path: string): Segment[] {
  const buf = readFileSync(path);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (off: number) => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const linkType = u32(20);
  if (linkType !== 1) throw new Error(`unexpected pcap link type ${linkType}`);
  const out: Segment[] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const incl = u32(off + 8);
    const frame = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const type = frame.readUInt16BE(12);
    let ipOff = 14;
    let src: Buffer;
    let dst: Buffer;
    if (type === 0x0800) {
      if (frame[ipOff + 9] !== 6) continue;
      src = frame.subarray(ipOff + 12, ipOff + 16);
      dst = frame.subarray(ipOff + 16, ipOff + 20);
      ipOff += ((frame[ipOff] as number) & 0xf) * 4;
    } else if (type === 0x86dd) {
      if (frame[ipOff + 6] !== 6) continue;
      src = frame.subarray(ipOff + 8, ipOff + 24);
      dst = frame.subarray(ipOff + 24, ipOff + 40);
      ipOff += 40;
    } else {
      continue;
    }
    const t = frame.subarray(ipOff);
    const seg: Segment = {
      src: ipText(src),
      dst: ipText(dst),
      sport: t.readUInt16BE(0),
      dport: t.readUInt16BE(2),
      seq: t.readUInt32BE(4),
      ack: t.readUInt32BE(8),
      flags: t[13] as number,
      mss: null,
      wscale: null,
      sackOk: false,
      tsval: null,
      tsecr: null,
    };
    const end = ((t[12] as number) >> 4) * 4;
    for (let o = 20; o < end; ) {
      const kind = t[o] as number;
      if (kind === 0) break;
      if (kind === 1) {
        o++;
        continue;
      }
      const len = t[o + 1] as number;
      if (len < 2) break;
      if (kind === 2) seg.mss = t.readUInt16BE(o + 2);
      if (kind === 3) seg.wscale = t[o + 2] as number;
      if (kind === 4) seg.sackOk = true;
      if (kind === 8) {
        seg.tsval = t.readUInt32BE(o + 2);
        seg.tsecr = t.readUInt32BE(o + 6);
      }
      o += len;
    }
    out.push(seg);
  }
  return out;
}

const SYN = 0x02;
const ACK = 0x10;
const ECE = 0x40;
const CWR = 0x80;

// ---------------------------------------------------------------- namespaces and processes

const id = `${process.pid % 100000}`;
const SRV = `synq-ck-s-${id}`;
const CLI = `synq-ck-c-${id}`;
const VS = `ck${id}s`;
const VC = `ck${id}c`;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function sysctl(ns: string, key: string, value: string): void {
  sh("ip", ["netns", "exec", ns, "sysctl", "-q", "-w", `${key}=${value}`]);
}

function netstat(ns: string): Map<string, number> {
  const text = sh("ip", ["netns", "exec", ns, "cat", "/proc/net/netstat"]);
  const lines = text.trim().split("\n");
  const m = new Map<string, number>();
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = (lines[i] as string).split(/\s+/);
    const values = (lines[i + 1] as string).split(/\s+/);
    names.forEach((n, j) => {
      if (j > 0) m.set(`${names[0]}${n}`, Number(values[j]));
    });
  }
  return m;
}

function waitForOutput(
  child: ChildProcess,
  stream: "stdout" | "stderr",
  text: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for "${text}": ${seen}`)),
      15_000,
    );
    child[stream]?.setEncoding("utf8");
    child[stream]?.on("data", (d: string) => {
      seen += d;
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${text}": ${seen}`));
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

const LISTENER = `
const net = require("node:net");
let ready = 0;
for (const host of ["${SERVER4}", "${SERVER6}"]) {
  net.createServer((s) => s.destroy()).listen({ host, port: ${PORT}, ipv6Only: host.includes(":") }, () => {
    if (++ready === 2) console.log("ready");
  });
}`;

function connectScript(host: string): string {
  return `
const s = require("node:net").connect({ host: "${host}", port: ${PORT} }, () => {
  setTimeout(() => { s.end(); process.exit(0); }, 50);
});
s.on("error", (e) => { console.error(e.message); process.exit(1); });
setTimeout(() => { console.error("connect timed out"); process.exit(2); }, 10000);`;
}

const runningVersion = parseKernelRelease(release());
const kernelHasCookieHelpers = runningVersion !== null && atLeast(runningVersion, [6, 0, 0]);

function synq(args: string[]): CookieReport {
  const r = spawnSync(process.execPath, [BIN, "decode-cookie", ...args, "--json"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`synq decode-cookie ${args.join(" ")}: ${r.stderr}`);
  return CookieReportSchema.parse(JSON.parse(r.stdout));
}

/** Waits until the cookie minute counter has at least `margin` seconds left (if it can tell). */
async function avoidMinuteEdge(margin = 8): Promise<void> {
  const t = await readCookieTime().catch(() => null);
  const into = t?.secondsIntoMinute ?? 0;
  if (60 - into < margin) await new Promise((r) => setTimeout(r, (60 - into + 0.5) * 1000));
}

interface Handshake {
  syn: Segment;
  synAck: Segment;
  ack: Segment;
}

function findHandshake(segs: Segment[]): Handshake | null {
  const syn = segs.find((s) => (s.flags & (SYN | ACK)) === SYN && s.dport === PORT);
  const synAck = segs.find((s) => (s.flags & (SYN | ACK)) === (SYN | ACK) && s.sport === PORT);
  const ack = segs.find(
    (s) =>
      s.dport === PORT &&
      (s.flags & (SYN | ACK)) === ACK &&
      synAck !== undefined &&
      s.ack === (synAck.seq + 1) >>> 0,
  );
  return syn && synAck && ack ? { syn, synAck, ack } : null;
}

async function captureHandshake(family: "ipv4" | "ipv6", dir: string): Promise<Handshake> {
  const pcap = join(dir, `${family}-${Date.now()}.pcap`);
  const dump = spawn(
    "ip",
    [
      "netns",
      "exec",
      SRV,
      "tcpdump",
      "--immediate-mode",
      "-i",
      VS,
      "-n",
      "-U",
      "-Z",
      "root",
      "-s",
      "256",
      "-w",
      pcap,
      "tcp",
      "port",
      String(PORT),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  try {
    await waitForOutput(dump, "stderr", "listening on");
    const host = family === "ipv4" ? SERVER4 : SERVER6;
    const r = spawnSync("ip", ["netns", "exec", CLI, process.execPath, "-e", connectScript(host)], {
      encoding: "utf8",
      timeout: 15_000,
    });
    if (r.status !== 0) throw new Error(`client failed: ${r.stderr}`);
    // tcpdump may still hold the packets in its ring: wait until it has written all three.
    for (let waited = 0; waited < 10_000; waited += 100) {
      const found = findHandshake(readPcap(pcap));
      if (found) return found;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`no complete handshake in ${pcap}: ${JSON.stringify(readPcap(pcap))}`);
  } finally {
    await stop(dump, "SIGINT");
  }
}

// ---------------------------------------------------------------- the tests

interface Case {
  name: string;
  family: "ipv4" | "ipv6";
  client: Record<string, string>;
}

const cases: Case[] = [
  {
    name: "defaults: wscale + SACK, no ECN",
    family: "ipv4",
    client: {
      tcp_window_scaling: "1",
      tcp_sack: "1",
      tcp_ecn: "0",
      tcp_rmem: "4096 131072 6291456",
    },
  },
  {
    name: "no window scaling, no SACK, ECN",
    family: "ipv4",
    client: {
      tcp_window_scaling: "0",
      tcp_sack: "0",
      tcp_ecn: "1",
      tcp_rmem: "4096 131072 6291456",
    },
  },
  {
    name: "large receive buffer (bigger wscale), no SACK, ECN",
    family: "ipv4",
    client: {
      tcp_window_scaling: "1",
      tcp_sack: "0",
      tcp_ecn: "1",
      tcp_rmem: "4096 131072 33554432",
    },
  },
  {
    name: "small receive buffer (small wscale), SACK, no ECN",
    family: "ipv4",
    client: { tcp_window_scaling: "1", tcp_sack: "1", tcp_ecn: "0", tcp_rmem: "4096 16384 65536" },
  },
  {
    name: "IPv6: wscale, SACK and ECN",
    family: "ipv6",
    client: {
      tcp_window_scaling: "1",
      tcp_sack: "1",
      tcp_ecn: "1",
      tcp_rmem: "4096 131072 6291456",
    },
  },
  {
    name: "IPv6: nothing but timestamps",
    family: "ipv6",
    client: {
      tcp_window_scaling: "0",
      tcp_sack: "0",
      tcp_ecn: "0",
      tcp_rmem: "4096 131072 6291456",
    },
  },
];

/** The options each case's captured SYN offered, for the final sanity check. */
const offered: { wscale: number | null; sack: boolean; ecn: boolean }[] = [];

describe.skipIf(prerequisites)("decode-cookie against the running kernel's cookies", () => {
  let listener: ChildProcess | null = null;
  let dir = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "synq-cookie-e2e-"));
    sh("ip", ["netns", "add", SRV]);
    sh("ip", ["netns", "add", CLI]);
    sh("ip", ["-n", SRV, "link", "add", VS, "type", "veth", "peer", "name", VC, "netns", CLI]);
    for (const [ns, dev, v4, v6] of [
      [SRV, VS, SERVER4, SERVER6],
      [CLI, VC, CLIENT4, CLIENT6],
    ] as const) {
      sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
      sh("ip", ["-n", ns, "addr", "add", `${v4}/24`, "dev", dev]);
      sh("ip", ["-n", ns, "-6", "addr", "add", `${v6}/64`, "dev", dev, "nodad"]);
      sh("ip", ["-n", ns, "link", "set", dev, "up"]);
    }
    // Per-namespace sysctls: the host's are untouched.
    sysctl(SRV, "net.ipv4.tcp_syncookies", "2");
    sysctl(SRV, "net.ipv4.tcp_timestamps", "2");
    sysctl(CLI, "net.ipv4.tcp_timestamps", "1");
    listener = spawn("ip", ["netns", "exec", SRV, process.execPath, "-e", LISTENER], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await waitForOutput(listener, "stdout", "ready");
  });

  afterAll(async () => {
    if (listener) await stop(listener);
    for (const ns of [SRV, CLI]) spawnSync("ip", ["netns", "del", ns]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases)("$name", async (c) => {
    for (const [key, value] of Object.entries(c.client)) sysctl(CLI, `net.ipv4.${key}`, value);
    await avoidMinuteEdge();
    const before = netstat(SRV);
    const { syn, synAck, ack } = await captureHandshake(c.family, dir);
    const after = netstat(SRV);
    // The SYN-ACK was a cookie, and the kernel accepted the ACK as one.
    expect(after.get("TcpExt:SyncookiesSent")).toBeGreaterThan(
      before.get("TcpExt:SyncookiesSent") ?? 0,
    );
    expect(after.get("TcpExt:SyncookiesRecv")).toBeGreaterThan(
      before.get("TcpExt:SyncookiesRecv") ?? 0,
    );
    expect(syn.tsval).not.toBeNull();
    expect(synAck.tsval).not.toBeNull();

    // 1. The timestamp cookie carries exactly what the SYN offered.
    const ts = synq(["--tsval", String(synAck.tsval)]).timestamp;
    const offeredEcn = (syn.flags & (ECE | CWR)) === (ECE | CWR);
    offered.push({ wscale: syn.wscale, sack: syn.sackOk, ecn: offeredEcn });
    expect({ wscale: ts?.wscale, sack: ts?.sack, ecn: ts?.ecn }).toEqual({
      wscale: syn.wscale,
      sack: syn.sackOk,
      ecn: offeredEcn,
    });

    // 2. The kernel: the captured cookie with the client's ACK is valid; a tampered one is not;
    //    and it generates the cookie on the wire for the captured SYN.
    const client = c.family === "ipv4" ? `${syn.src}:${syn.sport}` : `[${syn.src}]:${syn.sport}`;
    const server = c.family === "ipv4" ? `${syn.dst}:${syn.dport}` : `[${syn.dst}]:${syn.dport}`;
    const tuple = ["--client", client, "--server", server, "--isn", String((ack.seq - 1) >>> 0)];
    expect((ack.seq - 1) >>> 0).toBe(syn.seq);
    if (!kernelHasCookieHelpers) {
      // Before 6.0 there are no bpf_tcp_raw_*_syncookie helpers: a clear refusal instead.
      const r = spawnSync(
        process.execPath,
        [BIN, "decode-cookie", "--kernel", "--ack", String(ack.ack), ...tuple],
        {
          encoding: "utf8",
        },
      );
      expect(r.status).toBe(ExitCode.kernelUnsupported);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/Linux 6\.0/);
      return;
    }
    const k = synq([
      "--kernel",
      "--ack",
      String(ack.ack),
      ...tuple,
      "--mss",
      String(syn.mss),
    ]).kernel;
    expect(k?.check).toMatchObject({ cookie: synAck.seq, valid: true, issuedThisMinute: true });
    expect(k?.generated.cookie).toBe(synAck.seq);
    expect(k?.generated.mss).toBe(k?.check?.mss);
    const tampered = synq(["--kernel", "--ack", String((ack.ack + 0x100) >>> 0), ...tuple]).kernel;
    expect(tampered?.check?.valid).toBe(false);
    const otherIsn = synq([
      "--kernel",
      "--ack",
      String(ack.ack),
      ...tuple.slice(0, 4),
      "--isn",
      String((syn.seq + 0x10000) >>> 0),
    ]);
    expect(otherIsn.kernel?.check?.valid).toBe(false);
  });

  it("the cases really offered different options", () => {
    // Guards the test itself: if every SYN looked the same, the checks above would prove little.
    expect(offered).toHaveLength(cases.length);
    expect(new Set(offered.map((o) => JSON.stringify(o))).size).toBeGreaterThanOrEqual(4);
    expect(new Set(offered.map((o) => o.wscale)).size).toBeGreaterThanOrEqual(3);
    expect(offered.some((o) => o.wscale === null)).toBe(true);
    expect(offered.some((o) => o.ecn) && offered.some((o) => !o.ecn)).toBe(true);
    expect(offered.some((o) => o.sack) && offered.some((o) => !o.sack)).toBe(true);
  });
});

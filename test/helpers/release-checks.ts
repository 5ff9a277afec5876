/**
 * The release artifacts (`npm run release`) and the checks the release tests run on each way
 * of starting synq inside a Debian root without Node.js: the .deb's /usr/bin/synq and the
 * single executable run directly.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { COMMANDS } from "../../src/index.js";
import { type Status, statusSchema } from "../../src/model/status.js";
import { type TraceSummary, traceRecordSchema } from "../../src/model/trace.js";
import type { DebianRoot } from "./debian-root.js";
import { waitForOutput } from "./debian-root.js";
import { acceptQueueDrops } from "./trace-scenarios.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }
).version;

/** release/synq-<version>-linux-x64 and release/synq_<version>_amd64.deb. */
export const RELEASE = {
  dir: join(REPO, "release"),
  version: VERSION,
  executable: join(REPO, "release", `synq-${VERSION}-linux-x64`),
  deb: join(REPO, "release", `synq_${VERSION}_amd64.deb`),
  libDir: join(REPO, "release", "lib"),
};

/** Whether `npm run release` has left both artifacts. */
export const releaseBuilt = existsSync(RELEASE.executable) && existsSync(RELEASE.deb);

/** Where the sockets helper goes inside a root. */
export const SOCKETS = "/usr/local/bin/synq-sockets";

let socketsBinary: string | null = null;

/** test/release/sockets.c built statically (the roots have no C library headers or Node). */
export function socketsHelper(): string {
  if (socketsBinary) return socketsBinary;
  const out = join(mkdtempSync(join(tmpdir(), "synq-sockets-")), "sockets");
  execFileSync("gcc", ["-static", "-O2", "-o", out, join(REPO, "test/release/sockets.c")]);
  socketsBinary = out;
  return out;
}

/** The README's `synq decode-cookie 3385726138` sample: the command and its output. */
export function readmeCookieSample(): { args: string[]; output: string } {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const m = /```\n\$ synq (decode-cookie \d+)\n([\s\S]*?)```/.exec(readme);
  if (!m?.[1] || m[2] === undefined) throw new Error("README has no decode-cookie sample");
  return { args: m[1].split(" "), output: m[2] };
}

/** Every command id and the long flags oclif gives it (--json where enableJsonFlag is set). */
export function commandFlags(): { id: string; flags: string[] }[] {
  return Object.entries(COMMANDS).map(([id, command]) => ({
    id,
    flags: [
      ...Object.keys(command.flags ?? {}),
      ...(command.enableJsonFlag && !("json" in (command.flags ?? {})) ? ["json"] : []),
    ],
  }));
}

/** ss -Hltn inside the root: Recv-Q and Send-Q by local address:port. */
function ssListeners(root: DebianRoot): Map<string, { recvQ: number; sendQ: number }> {
  const r = root.run(["ss", "-Hltn"]);
  expect(r.status, r.stderr).toBe(0);
  const m = new Map<string, { recvQ: number; sendQ: number }>();
  for (const line of r.stdout.trim().split("\n")) {
    const [, recvQ, sendQ, local] = line.trim().split(/\s+/);
    m.set(local as string, { recvQ: Number(recvQ), sendQ: Number(sendQ) });
  }
  return m;
}

/** TcpExtListenOverflows of the root's namespace, read by its own nstat. */
function listenOverflows(root: DebianRoot): number {
  const r = root.run(["nstat", "-a", "-z", "-s", "TcpExtListenOverflows"]);
  expect(r.status, r.stderr).toBe(0);
  return Number(/TcpExtListenOverflows\s+(\d+)/.exec(r.stdout)?.[1]);
}

/**
 * Registers the checks of one synq binary inside a root: --help, the README's decode-cookie,
 * status --json against ss, and trace-drops against ListenOverflows. `ports` keeps two
 * binaries checked in one root apart.
 */
export function synqChecks(root: () => DebianRoot, bin: string, basePort: number): void {
  it("--help lists every command", () => {
    const r = root().run([bin, "--help"]);
    expect(r.status, r.stderr).toBe(0);
    for (const id of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${id} `, "m"));
  });

  it("decode-cookie prints the README's sample byte for byte", () => {
    const sample = readmeCookieSample();
    const r = root().run([bin, ...sample.args]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(sample.output);
  });

  it("status --json: an IPv4 and a dual-stack listener, their queues as ss shows them", async () => {
    const v4 = basePort;
    const dual = basePort + 1;
    const listeners = [
      root().spawn([SOCKETS, "listen", "127.0.0.1", String(v4), "5"]),
      root().spawn([SOCKETS, "listen", "::", String(dual), "7"]),
    ];
    try {
      await Promise.all(listeners.map((l) => waitForOutput(l, "listening")));
      // Connections left in the accept queues (nobody accepts), held while both read them.
      const clients = [
        root().spawn([SOCKETS, "connect", "127.0.0.1", String(v4), "3", "20000"]),
        root().spawn([SOCKETS, "connect", "::1", String(dual), "2", "20000"]),
        root().spawn([SOCKETS, "connect", "127.0.0.1", String(dual), "1", "20000"]),
      ];
      const wantDepth = new Map([
        [v4, 3],
        [dual, 3],
      ]);
      // Until every handshake is done (the queues no longer move), then synq reads them.
      const settled = (m: Map<string, { recvQ: number }>) =>
        m.get(`127.0.0.1:${v4}`)?.recvQ === wantDepth.get(v4) &&
        m.get(`*:${dual}`)?.recvQ === wantDepth.get(dual);
      let ss = ssListeners(root());
      for (let i = 0; i < 100 && !settled(ss); i++) {
        await new Promise((r) => setTimeout(r, 100));
        ss = ssListeners(root());
      }
      expect(settled(ss), [...ss].join(" ")).toBe(true);
      const r = root().run([bin, "status", "--json"]);
      expect(r.status, r.stderr).toBe(0);
      const status: Status = statusSchema.parse(JSON.parse(r.stdout));
      const mine = status.namespaces[0]?.listeners.filter((l) => wantDepth.has(l.port)) ?? [];
      expect(mine.map((l) => [l.port, l.family]).sort()).toEqual([
        [v4, "inet"],
        [dual, "dual"],
      ]);
      for (const l of mine) {
        const s = ss.get(l.local);
        expect(s, `ss has no ${l.local}: ${[...ss.keys()]}`).toBeDefined();
        expect(l.acceptQueue.depth).toBe(s?.recvQ);
        expect(l.acceptQueue.backlog).toBe(s?.sendQ);
        expect(l.acceptQueue.depth).toBe(wantDepth.get(l.port));
        expect(l.processes.map((p) => p.command)).toContain("synq-sockets");
      }
      for (const c of clients) c.kill("SIGKILL");
    } finally {
      for (const l of listeners) l.kill("SIGKILL");
    }
  });

  it("trace-drops --duration 3 --json during a flood: drops = the ListenOverflows delta", async () => {
    const port = basePort + 2;
    const listener = root().spawn([SOCKETS, "listen", "127.0.0.1", String(port), "2"]);
    try {
      await waitForOutput(listener, "listening");
      const before = listenOverflows(root());
      const trace = root().spawn([bin, "trace-drops", "--duration", "3", "--json"]);
      let out = "";
      let err = "";
      trace.stderr?.setEncoding("utf8").on("data", (d: string) => {
        err += d;
      });
      const exited = new Promise<number | null>((resolve) => trace.on("exit", resolve));
      await waitForOutput(trace, '"type":"start"', 60_000).then((o) => {
        out = o;
      });
      trace.stdout?.on("data", (d: string) => {
        out += d;
      });
      // 20 connections at a backlog of 2, closed with a reset before any SYN is retransmitted.
      const flood = root().run([SOCKETS, "connect", "127.0.0.1", String(port), "20", "300"]);
      expect(flood.status, flood.stderr).toBe(0);
      expect(await exited, err).toBe(0);
      const after = listenOverflows(root());
      const records = out
        .trim()
        .split("\n")
        .map((l) => traceRecordSchema.parse(JSON.parse(l)));
      const summary = records.find((r) => r.type === "summary") as TraceSummary | undefined;
      expect(summary, out).toBeDefined();
      expect(after - before).toBeGreaterThan(10);
      expect(acceptQueueDrops(summary as TraceSummary)).toBe(after - before);
    } finally {
      listener.kill("SIGKILL");
    }
  });
}

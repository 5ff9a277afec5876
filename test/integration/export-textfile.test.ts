import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/export-server.js";
import { type Exposition, parseExposition, samplesOf } from "../helpers/exposition.js";
import {
  createNetns,
  deleteNetns,
  inNetns,
  nstat,
  type RunningScenario,
  startScenario,
} from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq, runSynqAsync } from "../helpers/run-synq.js";

const NODE_EXPORTER = "prometheus-node-exporter";

const skip = missing(
  isRoot && hasTool("ip") && hasTool("ss") && hasTool("nstat") && hasTool("promtool"),
  "root with ip, ss, nstat and promtool (Debian: prometheus)",
);
const skipExporter = skip || missing(hasTool(NODE_EXPORTER), `${NODE_EXPORTER} (Debian package)`);

/** Recv-Q and Send-Q of every listener `ss -ltn` shows in the namespace, by local address. */
function ssQueues(ns: string): Map<string, { recvQ: number; sendQ: number }> {
  const queues = new Map<string, { recvQ: number; sendQ: number }>();
  for (const line of inNetns(ns, "ss", ["-H", "-l", "-t", "-n"]).split("\n")) {
    const [, recvQ, sendQ, local] = line.trim().split(/\s+/);
    if (local) queues.set(local, { recvQ: Number(recvQ), sendQ: Number(sendQ) });
  }
  return queues;
}

describe.skipIf(skip)("synq export --textfile against the live kernel", () => {
  let ns = "";
  let dir = "";
  let file = "";
  let scenario: RunningScenario | undefined;
  let text = "";
  let metrics: Exposition;
  let queues: Map<string, { recvQ: number; sendQ: number }>;
  let before: Map<string, number>;
  let after: Map<string, number>;

  beforeAll(async () => {
    ns = createNetns("synq-export");
    dir = mkdtempSync(join(tmpdir(), "synq-export-"));
    file = join(dir, "synq.prom");
    scenario = await startScenario(ns, {
      listeners: [
        { address: "0.0.0.0", port: 8080, backlog: 2 },
        { address: "::", port: 9090, backlog: 4, v6only: false },
      ],
      connect: [
        { host: "127.0.0.1", port: 8080, count: 8 },
        { host: "127.0.0.1", port: 9090, count: 5 },
        { host: "::1", port: 9090, count: 5 },
      ],
      settleMs: 1000,
    });
    before = nstat(ns);
    const r = runSynq(["export", "--textfile", file, "--netns", ns]);
    after = nstat(ns);
    queues = ssQueues(ns);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
    text = readFileSync(file, "utf8");
    metrics = parseExposition(text);
  });

  afterAll(async () => {
    await scenario?.stop();
    deleteNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes a file promtool accepts, and only that file", () => {
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
    expect(readdirSync(dir)).toEqual(["synq.prom"]);
  });

  it("has the accept queue depth and backlog ss shows for each listener", () => {
    const cases = [
      { local: "0.0.0.0:8080", labels: { address: "0.0.0.0", port: "8080", family: "inet" } },
      { local: "*:9090", labels: { address: "*", port: "9090", family: "dual" } },
    ];
    for (const { local, labels } of cases) {
      const ss = queues.get(local);
      if (!ss) throw new Error(`ss shows no ${local}: ${JSON.stringify([...queues])}`);
      const value = (name: string) =>
        samplesOf(metrics, name, { netns: ns, ...labels }).map((s) => s.value);
      expect(value("synq_listener_accept_queue_depth"), local).toEqual([ss.recvQ]);
      expect(value("synq_listener_accept_queue_backlog"), local).toEqual([ss.sendQ]);
    }
    // Both queues overflowed: depth is backlog + 1.
    expect(queues.get("0.0.0.0:8080")).toEqual({ recvQ: 3, sendQ: 2 });
    expect(queues.get("*:9090")).toEqual({ recvQ: 5, sendQ: 4 });
  });

  it("has the namespace's ListenOverflows as nstat reads it around the export", () => {
    const [overflows] = samplesOf(metrics, "synq_netns_listen_overflows_total", { netns: ns });
    // Clients whose SYNs were dropped retry, so the counter may move between the two reads.
    expect(overflows?.value).toBeGreaterThanOrEqual(before.get("TcpExtListenOverflows") ?? 0);
    expect(overflows?.value).toBeLessThanOrEqual(after.get("TcpExtListenOverflows") ?? 0);
    expect(overflows?.value).toBeGreaterThan(0);
  });

  it("names the listener's process and the findings", () => {
    const info = samplesOf(metrics, "synq_listener_info", { netns: ns, port: "8080" });
    expect(info.map((s) => s.labels.process)).toEqual([expect.stringMatching(/^node\/\d+$/)]);
    const full = samplesOf(metrics, "synq_finding", { netns: ns, code: "accept-queue-full" });
    expect(full.map((s) => s.labels.listener).sort()).toEqual(["*:9090", "0.0.0.0:8080"]);
  });

  describe.skipIf(skipExporter)("read back through node_exporter's textfile collector", () => {
    let exporter: ChildProcess | undefined;
    afterAll(async () => {
      if (exporter && exporter.exitCode === null) {
        exporter.kill("SIGTERM");
        await once(exporter, "exit");
      }
    });

    it("serves synq's series with synq's values", async () => {
      const port = await freePort();
      exporter = spawn(
        NODE_EXPORTER,
        [
          "--collector.disable-defaults",
          "--collector.textfile",
          `--collector.textfile.directory=${dir}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      let log = "";
      exporter.stderr?.setEncoding("utf8").on("data", (d: string) => {
        log += d;
      });
      let body = "";
      // Until it answers: it listens a moment after it starts.
      while (body === "") {
        if (exporter.exitCode !== null) throw new Error(`${NODE_EXPORTER} exited: ${log}`);
        body = await fetch(`http://127.0.0.1:${port}/metrics`)
          .then((res) => res.text())
          .catch(() => new Promise<string>((resolve) => setTimeout(() => resolve(""), 50)));
      }
      expect(body, log).toMatch(/^node_textfile_scrape_error 0$/m);
      const served = parseExposition(body);
      for (const name of [
        "synq_listener_accept_queue_depth",
        "synq_listener_accept_queue_backlog",
        "synq_netns_listen_overflows_total",
      ]) {
        const mine = samplesOf(metrics, name, { netns: ns }).map((s) => s.value);
        const theirs = samplesOf(served, name, { netns: ns }).map((s) => s.value);
        expect(mine.length, name).toBeGreaterThan(0);
        expect(theirs.sort(), name).toEqual(mine.sort());
      }
      expect(samplesOf(served, "synq_build_info")).toHaveLength(1);
    });
  });

  it("is never seen half-written while 100 exports replace it", async () => {
    let running = true;
    let reads = 0;
    const seen = new Set<string>();
    const reader = (async () => {
      while (running) {
        const content = readFileSync(file, "utf8");
        parseExposition(content);
        expect(content.endsWith("\n")).toBe(true);
        const lines = content.trimEnd().split("\n");
        expect(lines.at(-1)).toMatch(/^synq_build_info\{.*\} 1$/);
        seen.add(content);
        reads++;
        // A short pause between reads leaves the CPUs to the writers.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    try {
      for (let round = 0; round < 50; round++) {
        const runs = await Promise.all(
          Array.from({ length: 2 }, () =>
            runSynqAsync(["export", "--textfile", file, "--netns", ns]),
          ),
        );
        for (const r of runs) expect(r.stderr + String(r.status)).toBe("0");
      }
    } finally {
      running = false;
      await reader;
    }
    expect(reads).toBeGreaterThan(0);
    // The collection time differs from run to run: the reader saw the file being replaced.
    expect(seen.size).toBeGreaterThan(1);
    expect(readdirSync(dir)).toEqual(["synq.prom"]);
  }, 300_000);
});

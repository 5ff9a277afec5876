/**
 * synq export as Prometheus sees it: Debian's prometheus (2.42) scrapes synq over HTTP, and
 * over TLS with basic auth, once a second; what it stored equals what the kernel shows in the
 * namespace (ss, nstat) once a connection flood has settled, and scrapes `synq export --trace`
 * of two more namespaces (one with SYN cookies off), whose exact drop counts it stores equal to
 * nstat's (ListenOverflows, TCPReqQFullDrop). Also promtool, OpenMetrics, a silent client
 * beside a scrape, and --all-netns over namespaces made here.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type RunningExport, startExport } from "../helpers/export-server.js";
import { parseExposition, samplesOf } from "../helpers/exposition.js";
import {
  createNetns,
  deleteNetns,
  inNetns,
  nstat,
  type RunningScenario,
  setNetnsSysctl,
  startScenario,
} from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";

const skip = missing(
  isRoot &&
    ["ip", "ss", "nstat", "prometheus", "promtool", "openssl"].every((tool) => hasTool(tool)),
  "root with ip, ss, nstat, openssl, prometheus and promtool (Debian: prometheus)",
);

/** Prometheus 2.42's Accept header: OpenMetrics first. */
const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

interface SsListener {
  recvQ: number;
  sendQ: number;
  drops: number;
}

/** Every listener `ss -ltnm` shows in the namespace, by local address: queues and sk_drops. */
function ssListeners(ns: string): Map<string, SsListener> {
  const found = new Map<string, SsListener>();
  // ss puts skmem on a line of its own, indented, below each socket.
  const text = inNetns(ns, "ss", ["-H", "-l", "-t", "-n", "-m"]).replace(/\n\s+skmem/g, " skmem");
  for (const line of text.split("\n")) {
    const [, recvQ, sendQ, local] = line.trim().split(/\s+/);
    const drops = /skmem:\(.*\bd(\d+)\)/.exec(line)?.[1];
    if (local && drops !== undefined) {
      found.set(local, { recvQ: Number(recvQ), sendQ: Number(sendQ), drops: Number(drops) });
    }
  }
  return found;
}

/** What the kernel says now: every listener, and the namespace's ListenOverflows. */
function kernelNow(ns: string) {
  return {
    listeners: ssListeners(ns),
    overflows: nstat(ns).get("TcpExtListenOverflows") ?? -1,
  };
}

/** Waits until two readings a second apart are the same (the flood's retries are over). */
async function settled(ns: string) {
  let before = JSON.stringify([...kernelNow(ns).listeners, kernelNow(ns).overflows]);
  for (let i = 0; i < 60; i++) {
    await sleep(1000);
    const now = kernelNow(ns);
    const text = JSON.stringify([...now.listeners, now.overflows]);
    if (text === before) return { ...now, at: Date.now() / 1000 };
    before = text;
  }
  throw new Error(`the namespace's counters did not settle: ${before}`);
}

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promPort: number, promql: string): Promise<PromSample[]> {
  const url = `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`;
  const body = (await (await fetch(url)).json()) as {
    status: string;
    data: { result: PromSample[] };
  };
  if (body.status !== "success") throw new Error(`${promql}: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Waits until `promql` has a result whose every sample passes `ok`; returns it. */
async function until(
  promPort: number,
  promql: string,
  ok: (s: PromSample[]) => boolean,
  what: string,
): Promise<PromSample[]> {
  let last: PromSample[] = [];
  for (let i = 0; i < 120; i++) {
    last = await query(promPort, promql).catch(() => []);
    if (last.length > 0 && ok(last)) return last;
    await sleep(500);
  }
  throw new Error(`${what}: ${promql} gave ${JSON.stringify(last)}`);
}

/** An HTTPS GET trusting `ca`, with optional credentials. */
function httpsGet(
  url: string,
  ca: Buffer,
  auth?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { ca, agent: new Agent({ ca }), ...(auth ? { auth } : {}) },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const listenerLabels = {
  "0.0.0.0:8080": { address: "0.0.0.0", port: "8080", family: "inet" },
  "*:9090": { address: "*", port: "9090", family: "dual" },
} as const;

describe.skipIf(skip)("synq export scraped by Prometheus", () => {
  let ns = "";
  let dir = "";
  let scenario: RunningScenario | undefined;
  let plain: RunningExport | undefined;
  let tls: RunningExport | undefined;
  let prometheus: ChildProcess | undefined;
  let promLog = "";
  let promPort = 0;
  let cert: Buffer;
  let kernel: Awaited<ReturnType<typeof settled>>;
  // The traced export's namespace: flooded only once its tracer is attached.
  let traceNs = "";
  let traceListeners: RunningScenario | undefined;
  let traced: RunningExport | undefined;
  let tracedOverflowsBefore = 0;
  let tracedKernel: Awaited<ReturnType<typeof settled>>;
  // The traced export's second namespace: SYN cookies off, its SYN queue flooded.
  let synNs = "";
  let synListener: RunningScenario | undefined;
  let synFull = { before: 0, after: 0, at: 0 };

  beforeAll(async () => {
    ns = createNetns("synq-exphttp");
    dir = mkdtempSync(join(tmpdir(), "synq-export-prometheus-"));
    // Requests whose final ACK found the accept queue full are retried for as long as the
    // SYN-ACK is: one retry, and the counters are still within seconds.
    setNetnsSysctl(ns, "net.ipv4.tcp_synack_retries", 1);
    scenario = await startScenario(ns, {
      listeners: [
        { address: "0.0.0.0", port: 8080, backlog: 2 },
        { address: "::", port: 9090, backlog: 4, v6only: false },
      ],
      connect: [
        { host: "127.0.0.1", port: 8080, count: 12 },
        { host: "127.0.0.1", port: 9090, count: 6 },
        { host: "::1", port: 9090, count: 6 },
      ],
      settleMs: 1000,
    });

    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", join(dir, "server.key"), "-out", join(dir, "server.crt"), "-days", "2"],
        ...["-subj", "/CN=synq test", "-addext", "subjectAltName=IP:127.0.0.1"],
      ],
      { stdio: "ignore" },
    );
    traceNs = createNetns("synq-exptrace");
    setNetnsSysctl(traceNs, "net.ipv4.tcp_synack_retries", 1);
    traceListeners = await startScenario(traceNs, {
      listeners: [
        { address: "0.0.0.0", port: 8080, backlog: 2 },
        { address: "::", port: 9090, backlog: 4, v6only: false },
      ],
      settleMs: 200,
    });
    synNs = createNetns("synq-expsyn");
    setNetnsSysctl(synNs, "net.ipv4.tcp_syncookies", 0);
    synListener = await startScenario(synNs, {
      listeners: [{ address: "127.0.0.1", port: 8080, backlog: 4 }],
      settleMs: 200,
    });
    // Serving means attached: synq loads the tracer before it listens.
    traced = await startExport([
      ...["--netns", traceNs, "--netns", synNs],
      ...["--listen", `127.0.0.1:${await freePort()}`, "--trace"],
    ]);
    const reqQFull = () => nstat(synNs).get("TcpExtTCPReqQFullDrop") ?? 0;
    synFull.before = reqQFull();
    const synFlood = await startScenario(synNs, {
      rawSyns: [{ src: "192.0.2.9", dst: "127.0.0.1", dport: 8080, count: 20 }],
      settleMs: 300,
    });
    await synFlood.stop();
    synFull = { ...synFull, after: reqQFull(), at: Date.now() / 1000 };
    tracedOverflowsBefore = nstat(traceNs).get("TcpExtListenOverflows") ?? 0;
    const tracedFlood = await startScenario(traceNs, {
      connect: [
        { host: "127.0.0.1", port: 8080, count: 12 },
        { host: "127.0.0.1", port: 9090, count: 6 },
        { host: "::1", port: 9090, count: 6 },
      ],
      settleMs: 1000,
    });
    await tracedFlood.stop();

    cert = readFileSync(join(dir, "server.crt"));
    const hash = bcrypt.hashSync("scrape-s3cret", 10);
    writeFileSync(
      join(dir, "web.yml"),
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${hash}\n`,
    );

    [plain, tls] = await Promise.all([
      startExport(["--netns", ns, "--listen", `127.0.0.1:${await freePort()}`]),
      startExport([
        ...["--netns", ns, "--listen", `127.0.0.1:${await freePort()}`],
        ...["--web-config", join(dir, "web.yml")],
      ]),
    ]);

    promPort = await freePort();
    writeFileSync(
      join(dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "scrape_configs:",
        "  - job_name: synq",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${plain.port}"]`,
        "  - job_name: synq-tls",
        "    scheme: https",
        "    tls_config:",
        `      ca_file: ${join(dir, "server.crt")}`,
        "    basic_auth:",
        "      username: prometheus",
        "      password: scrape-s3cret",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${tls.port}"]`,
        "  - job_name: synq-trace",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${traced.port}"]`,
        "",
      ].join("\n"),
    );
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr?.setEncoding("utf8").on("data", (d: string) => {
      promLog += d;
    });
    kernel = await settled(ns);
    tracedKernel = await settled(traceNs);
  }, 180_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = once(prometheus, "exit");
      prometheus.kill("SIGTERM");
      await exited;
    }
    for (const server of [plain, tls, traced]) await server?.stop();
    await scenario?.stop();
    await traceListeners?.stop();
    await synListener?.stop();
    deleteNetns(ns);
    if (traceNs) deleteNetns(traceNs);
    if (synNs) deleteNetns(synNs);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is up for Prometheus over HTTP and over TLS with basic auth, parsed as OpenMetrics", async () => {
    for (const job of ["synq", "synq-tls", "synq-trace"]) {
      await until(promPort, `up{job="${job}"}`, (s) => s[0]?.value[1] === "1", `${job} ${promLog}`);
    }
    const targets = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as {
      data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    };
    const health = targets.data.activeTargets.map((t) => [t.labels.job, t.health, t.lastError]);
    expect(health.sort()).toEqual([
      ["synq", "up", ""],
      ["synq-tls", "up", ""],
      ["synq-trace", "up", ""],
    ]);
    // Prometheus asks with this header, and gets OpenMetrics for it.
    const res = await fetch(`${plain?.base}/metrics`, { headers: { Accept: PROMETHEUS_ACCEPT } });
    expect(res.headers.get("content-type")).toBe(
      "application/openmetrics-text; version=1.0.0; charset=utf-8",
    );
  });

  it("stores queues and drops equal to ss's, and ListenOverflows equal to nstat's", async () => {
    for (const job of ["synq", "synq-tls"]) {
      // A scrape made after the namespace settled.
      await until(
        promPort,
        `timestamp(synq_netns_listen_overflows_total{job="${job}",netns="${ns}"})`,
        (s) => Number(s[0]?.value[1]) > kernel.at,
        `a ${job} scrape after the flood settled`,
      );
      for (const [local, labels] of Object.entries(listenerLabels)) {
        const ss = kernel.listeners.get(local);
        if (!ss) throw new Error(`ss shows no ${local}`);
        const selector = `{job="${job}",netns="${ns}",address="${labels.address}",port="${labels.port}",family="${labels.family}"}`;
        const value = async (name: string) =>
          (await query(promPort, `${name}${selector}`)).map((s) => Number(s.value[1]));
        expect(await value("synq_listener_accept_queue_depth"), `${job} ${local}`).toEqual([
          ss.recvQ,
        ]);
        expect(await value("synq_listener_accept_queue_backlog"), `${job} ${local}`).toEqual([
          ss.sendQ,
        ]);
        expect(await value("synq_listener_drops_total"), `${job} ${local}`).toEqual([ss.drops]);
      }
      const overflows = await query(
        promPort,
        `synq_netns_listen_overflows_total{job="${job}",netns="${ns}"}`,
      );
      expect(
        overflows.map((s) => Number(s.value[1])),
        job,
      ).toEqual([kernel.overflows]);
    }
    // The flood overflowed both queues, and nothing moved while Prometheus scraped.
    expect(kernel.listeners.get("0.0.0.0:8080")).toMatchObject({ recvQ: 3, sendQ: 2 });
    expect(kernel.listeners.get("*:9090")).toMatchObject({ recvQ: 5, sendQ: 4 });
    expect(kernel.listeners.get("0.0.0.0:8080")?.drops).toBeGreaterThan(0);
    expect(kernel.overflows).toBeGreaterThan(0);
    expect(kernelNow(ns).overflows).toBe(kernel.overflows);
  });

  it("stores synq_trace_drops_total of the accept-queue reasons summing to the ListenOverflows delta", async () => {
    const selector = `{job="synq-trace",netns="${traceNs}"}`;
    await until(
      promPort,
      `timestamp(synq_netns_listen_overflows_total${selector})`,
      (s) => Number(s[0]?.value[1]) > tracedKernel.at,
      `a synq-trace scrape after the flood settled ${promLog}`,
    );
    const delta = tracedKernel.overflows - tracedOverflowsBefore;
    expect(delta).toBeGreaterThan(0);
    // The latest sample of each series (an instant query), summed: not increase(), which
    // extrapolates.
    const drops = await query(
      promPort,
      `sum(synq_trace_drops_total{job="synq-trace",netns="${traceNs}",reason=~"accept-queue-full|accept-queue-full-ack"})`,
    );
    expect(drops.map((s) => Number(s.value[1]))).toEqual([delta]);
    // Both listeners dropped, each under the labels status gives it.
    for (const labels of Object.values(listenerLabels)) {
      const one = await query(
        promPort,
        `sum(synq_trace_drops_total{job="synq-trace",netns="${traceNs}",address="${labels.address}",port="${labels.port}",family="${labels.family}"})`,
      );
      expect(Number(one[0]?.value[1]), labels.port).toBeGreaterThan(0);
    }
    expect(kernelNow(traceNs).overflows).toBe(tracedKernel.overflows);
  });

  it("stores synq_trace_drops_total of syn-queue-full equal to the TCPReqQFullDrop delta (tcp_syncookies=0)", async () => {
    await until(
      promPort,
      `timestamp(synq_netns_listen_overflows_total{job="synq-trace",netns="${synNs}"})`,
      (s) => Number(s[0]?.value[1]) > synFull.at,
      `a synq-trace scrape after the SYN flood ${promLog}`,
    );
    const delta = synFull.after - synFull.before;
    expect(delta).toBeGreaterThan(10);
    const full = await query(
      promPort,
      `sum(synq_trace_drops_total{job="synq-trace",netns="${synNs}",reason="syn-queue-full"})`,
    );
    expect(full.map((s) => Number(s.value[1]))).toEqual([delta]);
    expect(nstat(synNs).get("TcpExtTCPReqQFullDrop") ?? 0).toBe(synFull.after);
  });

  it("refuses a request without the right credentials with 401 and nothing else", async () => {
    const url = `https://127.0.0.1:${tls?.port}/metrics`;
    for (const auth of [undefined, "prometheus:wrong", "admin:scrape-s3cret"]) {
      const r = await httpsGet(url, cert, auth);
      expect(r.status, String(auth)).toBe(401);
      expect(r.headers["www-authenticate"]).toMatch(/^Basic realm="synq"/);
      expect(r.body).toBe("Unauthorized\n");
    }
    const ok = await httpsGet(url, cert, "prometheus:scrape-s3cret");
    expect(ok.status).toBe(200);
    expect(
      samplesOf(parseExposition(ok.body), "synq_listener_accept_queue_depth", { netns: ns }),
    ).toHaveLength(2);
    // Plain HTTP to the TLS port is no way in either.
    const plainToTls = await fetch(`http://127.0.0.1:${tls?.port}/metrics`).then(
      (r) => r.status,
      () => "refused",
    );
    expect(plainToTls).not.toBe(200);
  });

  it("serves an exposition promtool accepts, and OpenMetrics that ends with # EOF", async () => {
    const text = await (await fetch(`${plain?.base}/metrics`)).text();
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
    const res = await fetch(`${plain?.base}/metrics`, {
      headers: { Accept: "application/openmetrics-text; version=1.0.0" },
    });
    const om = await res.text();
    expect(res.headers.get("content-type")).toMatch(
      /^application\/openmetrics-text; version=1\.0\.0/,
    );
    expect(om.endsWith("\n# EOF\n")).toBe(true);
    expect(om.match(/^# EOF$/gm)).toHaveLength(1);
    // OpenMetrics names a counter family without _total, its samples with it.
    expect(om).toMatch(/^# TYPE synq_listener_drops counter$/m);
    expect(om).toMatch(
      new RegExp(
        `^synq_listener_drops_total\\{netns="${ns}",address="0\\.0\\.0\\.0",port="8080",family="inet"\\} \\d+$`,
        "m",
      ),
    );
    expect(om).not.toMatch(/\n\n/); // no blank lines in OpenMetrics
  });

  it("answers a scrape while another client holds a connection open and sends nothing", async () => {
    const silent = connect(plain?.port ?? 0, "127.0.0.1");
    await once(silent, "connect");
    let closed = false;
    silent.resume();
    silent.on("close", () => {
      closed = true;
    });
    try {
      const res = await fetch(`${plain?.base}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^synq_build_info/m);
      expect(closed).toBe(false);
    } finally {
      silent.destroy();
    }
  });

  it("exits 0 on SIGTERM once it has served", async () => {
    const other = await startExport(["--netns", ns, "--listen", "127.0.0.1:0"]);
    await fetch(`${other.base}/metrics`);
    expect(await other.stop("SIGTERM")).toEqual({ code: 0, signal: null });
  });
});

describe.skipIf(skip)("synq export --all-netns", () => {
  const names: string[] = [];
  const scenarios: RunningScenario[] = [];
  let server: RunningExport | undefined;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const ns = createNetns(`synq-exphttp-all${i}`);
      names.push(ns);
      scenarios.push(
        await startScenario(ns, {
          listeners: [{ address: "127.0.0.1", port: 7100 + i, backlog: 10 + i }],
          settleMs: 0,
        }),
      );
    }
    server = await startExport(["--all-netns", "--listen", "127.0.0.1:0"]);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    for (const s of scenarios) await s.stop();
    for (const ns of names) deleteNetns(ns);
  });

  it("labels each namespace's series with its own name, and drops one that goes away", async () => {
    const scrape = async () =>
      parseExposition(await (await fetch(`${server?.base}/metrics`)).text());
    const first = await scrape();
    names.forEach((ns, i) => {
      const backlog = samplesOf(first, "synq_listener_accept_queue_backlog", { netns: ns });
      expect(
        backlog.map((s) => [s.labels.port, s.value]),
        ns,
      ).toEqual([[String(7100 + i), 10 + i]]);
      expect(samplesOf(first, "synq_netns_listen_overflows_total", { netns: ns })).toHaveLength(1);
    });
    // One namespace deleted between scrapes: its series go, the scrape does not fail.
    await scenarios[1]?.stop();
    deleteNetns(names[1] as string);
    const second = await scrape();
    expect(
      samplesOf(second, "synq_listener_accept_queue_backlog", { netns: names[1] as string }),
    ).toEqual([]);
    expect(
      samplesOf(second, "synq_netns_listen_overflows_total", { netns: names[1] as string }),
    ).toEqual([]);
    for (const ns of [names[0], names[2]] as string[]) {
      expect(samplesOf(second, "synq_listener_accept_queue_backlog", { netns: ns })).toHaveLength(
        1,
      );
    }
    expect(
      samplesOf(second, "synq_scrape_errors_total", { cause: "collection" }).map((s) => s.value),
    ).toEqual([0]);
  });
});

/**
 * A host that gives every customer a network namespace: 200 of them, listeners held in each by
 * one process through setns (IPv4 everywhere, a dual-stack listener in every tenth), three
 * listeners overflowing, one namespace with its own somaxconn. The merged view must put the
 * three first, fold the quiet namespaces' counters into one line, show the sysctls once with
 * the one that differs, and stay short; a pattern selects exactly the namespaces it matches.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Status, statusSchema } from "../../src/model/status.js";
import { palette } from "../../src/render/colour.js";
import { renderMergedStatus } from "../../src/render/status-merged.js";
import { collectStatus } from "../../src/status/collect-status.js";
import { DEFAULT_TOP } from "../../src/status/merged-view.js";
import { selectNetns } from "../../src/system/netns-select.js";
import {
  deleteNetns,
  nstat,
  type RunningScenario,
  setNetnsSysctl,
  spawnScenario,
  startScenario,
} from "../helpers/netns.js";
import type { NetnsListeners } from "../helpers/netns-listeners-process.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { runSynqAsync } from "../helpers/run-synq.js";

const skip = missing(isRoot && hasTool("ip") && hasTool("nstat"), "root with ip and nstat");
const HOLDER = fileURLToPath(new URL("../helpers/netns-listeners-process.ts", import.meta.url));
const plain = palette(process.stdout, { NO_COLOR: "1" }, true);

const COUNT = 200;
const prefix = `synq-mt-${process.pid}`;
const name = (n: number) => `${prefix}-cust-${n}`;
const names = Array.from({ length: COUNT }, (_, i) => name(i + 1));
const OVERFLOWING = [name(3), name(77), name(150)];
const SMALL_SOMAXCONN = name(42);

let holder: RunningScenario | undefined;
const floods: RunningScenario[] = [];

function addNamespaces(): void {
  execFileSync("ip", ["-batch", "-"], {
    input: names.map((n) => `netns add ${n}\n`).join(""),
    stdio: ["pipe", "ignore", "inherit"],
  });
}

beforeAll(async () => {
  if (skip) return;
  addNamespaces();
  const ipv4 = { address: "0.0.0.0", port: 80, backlog: 128 };
  const dual = { address: "::", port: 8443, backlog: 128, v6only: false };
  const request: NetnsListeners = [
    { netns: names.filter((_, i) => i % 10 !== 0), listeners: [ipv4] },
    { netns: names.filter((_, i) => i % 10 === 0), listeners: [ipv4, dual] },
  ];
  holder = await spawnScenario([
    process.execPath,
    "--import",
    "tsx",
    HOLDER,
    JSON.stringify(request),
  ]);
  setNetnsSysctl(SMALL_SOMAXCONN, "net.core.somaxconn", 1024);
  for (const ns of OVERFLOWING) {
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    // Backlog 2, never accepted: the accept queue holds 3, the other clients' SYNs are dropped.
    floods.push(
      await startScenario(ns, {
        listeners: [{ address: "0.0.0.0", port: 9000, backlog: 2 }],
        connect: [{ host: "127.0.0.1", port: 9000, count: 8 }],
        settleMs: 300,
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  for (const f of floods) await f.stop();
  await holder?.stop();
  if (skip) return;
  // One `ip -batch` for all; -force goes on past the one a test deleted (and exits 1 for it).
  spawnSync("ip", ["-force", "-batch", "-"], {
    input: names.map((n) => `netns del ${n}\n`).join(""),
    stdio: ["pipe", "ignore", "ignore"],
  });
  const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
  expect(left).not.toContain(`${prefix}-`);
}, 120_000);

/** The data rows of the text table whose header row contains `head`. */
function tableRows(text: string, head: string): string[][] {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.includes(head));
  const rows: string[][] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line.startsWith("│")) break;
    rows.push(
      line
        .split("│")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe.skipIf(skip)(`status over ${COUNT} customer namespaces`, () => {
  it("shows the overflowing listeners first, the rest folded, in a short report", async () => {
    const run = await runSynqAsync(["status", "--netns", `${prefix}-*`, "--no-color"]);
    expect(run.status, run.stderr).toBe(0);
    const text = run.stdout;
    const header = text.split("\n")[1];
    expect(header).toMatch(
      new RegExp(
        `^${COUNT} network namespaces, ${COUNT + COUNT / 10 + OVERFLOWING.length} listeners`,
      ),
    );

    const listeners = tableRows(text, "│ Netns");
    const problems = listeners.slice(0, 3);
    expect(new Set(problems.map((r) => r[0]))).toEqual(new Set(OVERFLOWING));
    for (const r of problems) expect(r[1]).toBe("0.0.0.0:9000");
    // Then healthy listeners, at most --top of them, and how many were left out.
    expect(listeners.length).toBe(3 + DEFAULT_TOP);
    expect(listeners.slice(3).every((r) => r[1] !== "0.0.0.0:9000")).toBe(true);
    expect(text).toContain(`… ${COUNT + COUNT / 10 - DEFAULT_TOP} more healthy listeners in`);

    // Counters: a row per namespace that overflowed, one line for all the others.
    const counters = tableRows(text, "ListenOverflows");
    expect(new Set(counters.map((r) => r[0]))).toEqual(new Set(OVERFLOWING));
    for (const r of counters) {
      const kernel = nstat(r[0] as string).get("TcpExtListenOverflows") ?? 0;
      expect(Number(r[1])).toBeGreaterThan(0);
      expect(Number(r[1])).toBeLessThanOrEqual(kernel);
    }
    expect(text).toContain(`${COUNT - 3} namespaces: all zero`);

    // The sysctls once, with the namespace whose somaxconn differs named.
    expect(text.match(/│ net\.core\.somaxconn/g)).toHaveLength(1);
    expect(text).toContain(`net.core.somaxconn: 4096 everywhere except ${SMALL_SOMAXCONN} (1024)`);
    expect(text).not.toContain("== network namespace");

    const lines = text.trimEnd().split("\n").length;
    expect(lines, text).toBeLessThan(60 + problems.length);
  }, 120_000);

  it("--json keeps one entry per namespace, and agrees with the kernel's counters", async () => {
    const run = await runSynqAsync(["status", "--netns", `${prefix}-*`, "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const status = statusSchema.parse(JSON.parse(run.stdout)) as Status;
    expect(status.namespaces.map((n) => n.netns).sort()).toEqual([...names].sort());
    const dual = status.namespaces.flatMap((n) => n.listeners).filter((l) => l.port === 8443);
    expect(dual).toHaveLength(COUNT / 10);
    for (const l of dual) expect(l).toMatchObject({ local: "*:8443", family: "dual" });
    const somaxconn = status.namespaces.find((n) => n.netns === SMALL_SOMAXCONN)?.sysctls;
    expect(somaxconn?.find((s) => s.key === "net.core.somaxconn")?.value).toBe(1024);
  }, 120_000);

  it("a pattern selects exactly the namespaces it matches", async () => {
    const run = await runSynqAsync(["status", "--netns", `${prefix}-cust-1*`, "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const got = (JSON.parse(run.stdout) as Status).namespaces.map((n) => n.netns);
    const want = names.filter((n) => n.startsWith(`${prefix}-cust-1`));
    expect(want).toHaveLength(1 + 10 + 100);
    expect(got.sort()).toEqual(want.sort());
  }, 120_000);

  it("skips a matched namespace deleted while it is read, with a note", async () => {
    const { targets, merged } = await selectNetns([`${prefix}-cust-19*`]);
    expect(merged).toBe(true);
    const gone = name(199);
    expect(targets.map((t) => t.name)).toContain(gone);
    deleteNetns(gone);
    const status = await collectStatus({
      targets,
      port: null,
      intervalSeconds: null,
      skipVanished: merged,
    });
    expect(status.namespaces.map((n) => n.netns).sort()).toEqual(
      names.filter((n) => n.startsWith(`${prefix}-cust-19`) && n !== gone).sort(),
    );
    expect(status.skippedNamespaces).toEqual([
      { netns: gone, reason: "went away while synq read it" },
    ]);
    expect(renderMergedStatus(status, DEFAULT_TOP, plain)).toContain(
      `note: network namespace ${gone} skipped: it went away while synq read it`,
    );
  }, 120_000);
});

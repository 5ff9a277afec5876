import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition, type Sample } from "../helpers/exposition.js";
import { createNetns, deleteNetns } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { SYNQ_BIN } from "../helpers/run-synq.js";

const UNIT = fileURLToPath(new URL("../../packaging/systemd/synq-export.service", import.meta.url));
const unitText = readFileSync(UNIT, "utf8");

/** The values of a directive in the unit (last one wins, as in systemd). */
function directive(name: string): string {
  const lines = unitText.split("\n").filter((l) => l.startsWith(`${name}=`));
  const last = lines.at(-1);
  if (last === undefined) throw new Error(`no ${name}= in the unit`);
  return last.slice(name.length + 1);
}

/** The unit as it would run from this clone: ExecStart on bin/run.js, no man page lookup. */
function unitForThisClone(dir: string): string {
  const path = join(dir, "synq-export.service");
  const text = unitText
    .replace("ExecStart=/usr/bin/synq ", `ExecStart=${SYNQ_BIN} `)
    .replace(/^Documentation=.*\n/m, "");
  writeFileSync(path, text);
  return path;
}

const skipAnalyze = missing(hasTool("systemd-analyze"), "systemd-analyze (Debian: systemd)");

describe.skipIf(skipAnalyze)("packaging/systemd/synq-export.service", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "synq-unit-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is a valid unit (systemd-analyze verify)", () => {
    const r = spawnSync("systemd-analyze", ["verify", unitForThisClone(dir)], {
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("is hardened: systemd-analyze security rates its exposure 5.0 or lower", () => {
    const r = spawnSync(
      "systemd-analyze",
      ["security", "--offline=true", "--no-pager", unitForThisClone(dir)],
      { encoding: "utf8" },
    );
    const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThanOrEqual(5.0);
    for (const line of [
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "PrivateTmp=yes",
      "ProtectHome=yes",
    ]) {
      expect(unitText.split("\n")).toContain(line);
    }
  });

  it("ships a web config synq export accepts: it serves /metrics with it", async () => {
    const config = fileURLToPath(
      new URL("../../packaging/systemd/web-config.yml", import.meta.url),
    );
    const child = spawn(
      process.execPath,
      [SYNQ_BIN, "export", "--listen", "127.0.0.1:0", "--web-config", config],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = "";
        child.stderr?.setEncoding("utf8").on("data", (d: string) => {
          err += d;
          const m = /serving (http:\/\/\S+\/metrics)/.exec(err);
          if (m?.[1]) resolve(m[1]);
        });
        child.once("exit", (code) => reject(new Error(`synq export exited ${code}: ${err}`)));
      });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^synq_build_info\{/m);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("runs synq export with the web config as its only configuration file", () => {
    expect(directive("ExecStart")).toBe(
      "/usr/bin/synq export --all-netns --web-config /etc/synq/web-config.yml",
    );
    expect(unitText).not.toMatch(/^(Environment|EnvironmentFile)=/m);
  });
});

const skipCaps = missing(isRoot && hasTool("setpriv") && hasTool("ip"), "root, setpriv and ip");

/** `setpriv --bounding-set` syntax for the unit's CapabilityBoundingSet. */
function boundingSet(caps: readonly string[]): string {
  return ["-all", ...caps.map((c) => `+${c.replace(/^CAP_/, "").toLowerCase()}`)].join(",");
}

/** Runs `synq export --textfile` as root limited to these capabilities, as the unit does. */
function exportWithCaps(caps: readonly string[], file: string, args: string[]) {
  return spawnSync(
    "setpriv",
    [
      "--no-new-privs",
      `--bounding-set=${boundingSet(caps)}`,
      "--inh-caps=-all",
      process.execPath,
      SYNQ_BIN,
      "export",
      "--textfile",
      file,
      ...args,
    ],
    { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 },
  );
}

describe.skipIf(skipCaps)("the unit's capabilities are enough, and each of them is needed", () => {
  const caps = directive("CapabilityBoundingSet").split(/\s+/);
  let ns = "";
  let dir = "";
  let owner: ChildProcess | undefined;

  beforeAll(async () => {
    ns = createNetns("synq-unit");
    dir = mkdtempSync(join(tmpdir(), "synq-unit-caps-"));
    // A listener of another user, in another namespace: reading it needs setns, and naming
    // its owner needs another user's /proc/PID/fd.
    owner = spawn(
      "ip",
      [
        ...["netns", "exec", ns],
        ...["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
        process.execPath,
        "-e",
        "require('net').createServer().listen(7411, '127.0.0.1', () => console.log('ready'))",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      owner?.stdout?.once("data", () => resolve());
      owner?.once("exit", (code) => reject(new Error(`listener exited ${code}`)));
    });
  });

  afterAll(() => {
    owner?.kill();
    if (ns) deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  function listenerInfo(file: string): Sample | undefined {
    const { samples } = parseExposition(readFileSync(file, "utf8"));
    return samples.find(
      (s) => s.name === "synq_listener_info" && s.labels.netns === ns && s.labels.port === "7411",
    );
  }

  it("with exactly the unit's set: the namespace's listener and its owner", () => {
    const file = join(dir, "all.prom");
    const r = exportWithCaps(caps, file, ["--netns", ns]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(listenerInfo(file)?.labels.process).toMatch(/^node\/\d+$/);
  });

  it("with exactly the unit's set: --trace loads, attaches and counts", () => {
    const file = join(dir, "trace.prom");
    const r = exportWithCaps(caps, file, ["--netns", ns, "--trace", "--duration", "1"]);
    expect(r.status, r.stderr).toBe(0);
    const { samples } = parseExposition(readFileSync(file, "utf8"));
    expect(samples.find((s) => s.name === "synq_trace_info")?.value).toBe(1);
    expect(samples.find((s) => s.name === "synq_trace_lost_records_total")?.value).toBe(0);
  });

  it.each(["CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH"])(
    "without %s: the listener, but not its owner",
    (missingCap) => {
      const file = join(dir, `no-${missingCap}.prom`);
      const r = exportWithCaps(
        caps.filter((c) => c !== missingCap),
        file,
        ["--netns", ns],
      );
      expect(r.status).toBe(0);
      expect(listenerInfo(file)?.labels.process).toBe("");
    },
  );

  it("without CAP_SYS_ADMIN: entering the namespace is refused, in one line", () => {
    const file = join(dir, "no-admin.prom");
    const r = exportWithCaps(
      caps.filter((c) => c !== "CAP_SYS_ADMIN"),
      file,
      ["--netns", ns],
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^synq: --netns .*CAP_SYS_ADMIN/);
    expect(r.status).toBe(5);
  });
});

import { describe, expect, it } from "vitest";
import { renderToString } from "../../../src/export/exposition-writer.js";
import { statusFamilies } from "../../../src/export/metric-families.js";
import { COUNTERS } from "../../../src/kernel/counter-catalog.js";
import { synQueueRule } from "../../../src/kernel/syn-queue-limit.js";
import { SYSCTLS } from "../../../src/kernel/sysctl-catalog.js";
import { STATUS_SCHEMA_VERSION, type Status } from "../../../src/model/status.js";
import { buildNamespaceStatus } from "../../../src/status/build-status.js";
import { parseExposition, samplesOf } from "../../helpers/exposition.js";
import { capturesOf } from "../../helpers/fixtures.js";
import { sampleFromCapture } from "../../helpers/sample-from-capture.js";

const FACTS = { version: "0.1.0", nodeVersion: "v20.0.0", durationSeconds: 0.25 };

/** The busy capture as namespace "web" and again as synq's own (""). */
function busyStatus(capture: ReturnType<typeof capturesOf>[number]): Status {
  const build = (netns: string) =>
    buildNamespaceStatus(sampleFromCapture(capture), null, {
      netns,
      rule: synQueueRule([6, 18, 0]),
      port: null,
    });
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: "2026-01-01T00:00:00.000Z",
    kernel: { release: capture.kernel, synQueueRule: "rule text" },
    intervalSeconds: null,
    namespaces: [build(""), build("web")],
    skippedNamespaces: [{ netns: "cust-7", reason: "went away while synq read it" }],
  };
}

function text(status: Status, format: "prometheus" | "openmetrics" = "prometheus") {
  return renderToString(format, statusFamilies(status, FACTS));
}

async function exposition(status: Status) {
  return parseExposition(text(status));
}

const LISTENER_GAUGES = [
  "synq_listener_accept_queue_depth",
  "synq_listener_accept_queue_backlog",
  "synq_listener_syn_recv",
  "synq_listener_syn_queue_limit",
];

describe.each(capturesOf("busy"))("statusFamilies on $label", (capture) => {
  const status = busyStatus(capture);
  const web = status.namespaces[1];
  if (!web) throw new Error("no namespace");

  it("gives every listener its queue gauges, drops counter and info, labelled as status shows it", async () => {
    const e = await exposition(status);
    for (const name of [...LISTENER_GAUGES, "synq_listener_info"]) {
      expect(e.types.get(name), name).toBe("gauge");
    }
    expect(e.types.get("synq_listener_drops_total")).toBe("counter");
    const l = web.listeners.find((x) => x.local === "0.0.0.0:8080");
    const labels = { netns: "web", address: "0.0.0.0", port: "8080", family: "inet" };
    const one = (name: string) => {
      const found = samplesOf(e, name, labels);
      expect(found, name).toHaveLength(1);
      expect(found[0]?.labels, name).toEqual(
        name === "synq_listener_info" ? { ...labels, process: expect.any(String) } : labels,
      );
      return found[0]?.value;
    };
    expect(one("synq_listener_accept_queue_depth")).toBe(5);
    expect(one("synq_listener_accept_queue_backlog")).toBe(4);
    expect(one("synq_listener_syn_recv")).toBe(l?.synQueue.depth);
    expect(one("synq_listener_syn_queue_limit")).toBe(5);
    expect(one("synq_listener_drops_total")).toBe(l?.drops);
    expect(one("synq_listener_info")).toBe(1);
    const info = samplesOf(e, "synq_listener_info", labels)[0];
    expect(info?.labels.process).toBe(l?.processes.map((p) => `${p.command}/${p.pid}`).join(","));
    expect(info?.labels.process).toMatch(/^(node|sleep)\/\d+,(node|sleep)\/\d+$/);
  });

  it("labels the dual-stack, v6-only and device-bound listeners", async () => {
    const e = await exposition(status);
    const depth = (match: Record<string, string>) =>
      samplesOf(e, "synq_listener_accept_queue_depth", { netns: "web", ...match });
    expect(depth({ port: "8443" }).map((s) => s.labels.family)).toEqual(["dual"]);
    expect(
      depth({ port: "9443" })
        .map((s) => s.labels.family)
        .sort(),
    ).toEqual(["inet", "inet6"]);
    expect(depth({ port: "53" }).map((s) => s.labels.device)).toEqual(["lo"]);
    expect(depth({ port: "8080" }).every((s) => !("device" in s.labels))).toBe(true);
  });

  it("keeps every series unique: only SO_REUSEPORT twins get a socket label, their inodes", async () => {
    const e = await exposition(status);
    const keys = e.samples.map(
      (s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
    const twins = samplesOf(e, "synq_listener_accept_queue_depth", { netns: "web", port: "7443" });
    const inodes = web.listeners.filter((l) => l.port === 7443).map((l) => String(l.inode));
    expect(inodes).toHaveLength(2);
    expect(twins.map((s) => s.labels.socket).sort()).toEqual(inodes.sort());
    const others = samplesOf(e, "synq_listener_accept_queue_depth").filter(
      (s) => s.labels.port !== "7443",
    );
    expect(others.length).toBe(2 * web.listeners.length - 4);
    expect(others.every((s) => !("socket" in s.labels))).toBe(true);
  });

  it("labels synq's own namespace with the empty string, as status's JSON does", async () => {
    const e = await exposition(status);
    const own = samplesOf(e, "synq_listener_accept_queue_depth", { netns: "" });
    expect(own).toHaveLength(web.listeners.length);
    expect(samplesOf(e, "synq_netns_listen_overflows_total", { netns: "" })).toHaveLength(1);
  });

  it("exports every counter status shows, each namespace with the kernel's value", async () => {
    const e = await exposition(status);
    const byCounter = new Map(web.counters.map((c) => [c.name, c.value]));
    const exported = [...e.types.keys()].filter((n) => n.startsWith("synq_netns_"));
    expect(exported).toHaveLength(COUNTERS.length);
    const overflows = samplesOf(e, "synq_netns_listen_overflows_total", { netns: "web" });
    expect(overflows.map((s) => s.value)).toEqual([
      Number(byCounter.get("TcpExt.ListenOverflows")),
    ]);
    expect(overflows[0]?.value).toBeGreaterThan(0);
    const estab = samplesOf(e, "synq_netns_curr_estab", { netns: "web" });
    expect(estab.map((s) => s.value)).toEqual([Number(byCounter.get("Tcp.CurrEstab"))]);
    expect(e.types.get("synq_netns_curr_estab")).toBe("gauge");
    for (const name of exported.filter((n) => n !== "synq_netns_curr_estab")) {
      expect(name).toMatch(/^synq_netns_[a-z_]+_total$/);
      expect(e.types.get(name), name).toBe("counter");
    }
  });

  it("exports every sysctl as its own gauge", async () => {
    const e = await exposition(status);
    for (const s of SYSCTLS) {
      const name = `synq_sysctl_${s.key.replaceAll(".", "_")}`;
      const value = web.sysctls.find((x) => x.key === s.key)?.value;
      expect(
        samplesOf(e, name, { netns: "web" }).map((x) => x.value),
        name,
      ).toEqual([value]);
      expect(e.types.get(name)).toBe("gauge");
    }
  });

  it("exports the findings, the collection facts and the skipped namespaces", async () => {
    const e = await exposition(status);
    const full = samplesOf(e, "synq_finding", { netns: "web", code: "accept-queue-full" });
    expect(full).toEqual([
      {
        name: "synq_finding",
        labels: {
          netns: "web",
          code: "accept-queue-full",
          severity: "critical",
          listener: "0.0.0.0:8080",
        },
        value: 1,
      },
    ]);
    expect(samplesOf(e, "synq_finding", { netns: "web" })).toHaveLength(web.findings.length);
    expect(samplesOf(e, "synq_build_info")).toEqual([
      { name: "synq_build_info", labels: { version: "0.1.0", node_version: "v20.0.0" }, value: 1 },
    ]);
    expect(samplesOf(e, "synq_collection_duration_seconds").map((s) => s.value)).toEqual([0.25]);
    expect(samplesOf(e, "synq_namespaces_skipped").map((s) => s.value)).toEqual([1]);
  });
});

describe("statusFamilies on edge cases", () => {
  const [capture] = capturesOf("busy");
  if (!capture) throw new Error("no busy capture");

  it("leaves out what the kernel did not give, never exporting it as 0", async () => {
    const status = busyStatus(capture);
    const ns = status.namespaces[1];
    if (!ns) throw new Error("no namespace");
    ns.listeners = ns.listeners.map((l) => ({ ...l, drops: null }));
    ns.counters = ns.counters.map((c) =>
      c.name === "TcpExt.TCPMigrateReqSuccess" ? { ...c, value: null } : c,
    );
    ns.sysctls = ns.sysctls.map((s) =>
      s.key === "net.ipv4.tcp_migrate_req" ? { ...s, value: null } : s,
    );
    const e = await exposition(status);
    expect(samplesOf(e, "synq_listener_drops_total", { netns: "web" })).toEqual([]);
    expect(samplesOf(e, "synq_listener_drops_total", { netns: "" }).length).toBeGreaterThan(0);
    expect(samplesOf(e, "synq_netns_tcp_migrate_req_success_total", { netns: "web" })).toEqual([]);
    expect(samplesOf(e, "synq_sysctl_net_ipv4_tcp_migrate_req", { netns: "web" })).toEqual([]);
  });

  it("counts findings that share their labels instead of repeating a series", async () => {
    const status = busyStatus(capture);
    const ns = status.namespaces[1];
    const first = ns?.findings[0];
    if (!ns || !first) throw new Error("no finding");
    ns.findings.push({ ...first });
    const e = await exposition(status);
    const same = samplesOf(e, "synq_finding", {
      netns: "web",
      code: first.code,
      listener: first.listener ?? "",
    });
    expect(same.map((s) => s.value)).toEqual([2]);
  });

  it("escapes quotes, backslashes and newlines in a process name", async () => {
    const status = busyStatus(capture);
    const ns = status.namespaces[1];
    const l = ns?.listeners.find((x) => x.local === "127.0.0.2:8080");
    if (!l) throw new Error("no listener");
    const odd = 'we"ird\\name\nx';
    l.processes = [{ command: odd, pid: 42, fd: 3 }];
    const written = text(status);
    expect(written).toContain('process="we\\"ird\\\\name\\nx/42"');
    expect(text(status, "openmetrics")).toContain('process="we\\"ird\\\\name\\nx/42"');
    const info = samplesOf(parseExposition(written), "synq_listener_info", {
      netns: "web",
      address: "127.0.0.2",
    });
    expect(info.map((s) => s.labels.process)).toEqual([`${odd}/42`]);
  });

  it("writes only metric and label names the exposition formats allow, each family once", () => {
    const written = text(busyStatus(capture));
    const families = [...written.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]);
    expect(families.length).toBeGreaterThan(40);
    expect(new Set(families).size).toBe(families.length);
    for (const name of families) expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    for (const s of parseExposition(written).samples) {
      for (const label of Object.keys(s.labels)) expect(label).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
    }
  });
});

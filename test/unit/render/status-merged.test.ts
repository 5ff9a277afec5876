import { describe, expect, it } from "vitest";
import type { Status } from "../../../src/model/status.js";
import { palette } from "../../../src/render/colour.js";
import { renderMergedStatus } from "../../../src/render/status-merged.js";
import { mergedView } from "../../../src/status/merged-view.js";
import { type FleetOptions, fleetNames, fleetStatus } from "../../helpers/fleet-status.js";

const plain = palette({ isTTY: false }, {});

/** 200 namespaces of two listeners, three overflowing, one with its own somaxconn. */
function fleet(opts: Partial<FleetOptions> = {}): Status {
  return fleetStatus({
    namespaces: 200,
    listenersPerNamespace: 2,
    overflowing: ["cust-17", "cust-3", "cust-150"],
    sysctls: { "cust-42": { "net.core.somaxconn": 128 } },
    ...opts,
  });
}

/** The rows of the table whose head row starts with `first`. */
function tableRows(text: string, first: string): string[] {
  const lines = text.split("\n");
  const head = lines.findIndex((l) => l.startsWith(`│ ${first} `));
  if (head === -1) throw new Error(`no table headed ${first}`);
  const end = lines.findIndex((l, i) => i > head && l.startsWith("└"));
  return lines.slice(head + 1, end);
}

/** The first cell of a table row. */
const firstCell = (row: string) => row.split("│")[1]?.trim();

describe("renderMergedStatus", () => {
  const status = fleet();
  const text = renderMergedStatus(status, 20, plain);

  it("fits 200 namespaces in under 60 lines plus one per problem listener", () => {
    const problems = mergedView(status, 20).listeners.problems.length;
    expect(problems).toBe(3);
    expect(text.split("\n").length).toBeLessThan(60 + problems);
  });

  it("starts with the kernel line and how many namespaces and listeners it covers", () => {
    const [kernel, summary] = text.split("\n");
    expect(kernel).toMatch(/^kernel 6\.18\.44-fc-v1272: SYN queue holds/);
    expect(summary).toBe("200 network namespaces, 400 listeners");
  });

  it("keeps the notes on skipped namespaces", () => {
    const s = fleet();
    s.skippedNamespaces = [{ netns: "cust-999", reason: "went away while synq read it" }];
    expect(renderMergedStatus(s, 20, plain).split("\n").slice(1, 3)).toEqual([
      "note: network namespace cust-999 skipped: it went away while synq read it",
      "200 network namespaces, 400 listeners",
    ]);
  });

  it("shows the problem listeners first in one table with a Netns column, then 20 healthy", () => {
    const rows = tableRows(text, "Netns    │ Local");
    expect(rows).toHaveLength(23);
    expect(rows.slice(0, 5).map(firstCell)).toEqual(["cust-150", "cust-3", "cust-17", "-", "-"]);
    expect(rows[0]).toMatch(/│ 0\.0\.0\.0:80 +│ nginx\/1150 │ 512\/511 +│ 100% +│ .* │ 300 +│$/);
  });

  it("says how many healthy listeners it left out, and in how many namespaces", () => {
    expect(text).toContain(
      "\n… 377 more healthy listeners in 190 namespaces (--top 0 shows all)\n",
    );
    const many = renderMergedStatus(fleet({ namespaces: 1000 }), 20, plain);
    expect(many).toContain("… 1,977 more healthy listeners in 990 namespaces (--top 0 shows all)");
  });

  it("shows every listener with --top 0, and never cuts a problem listener", () => {
    const all = renderMergedStatus(status, 0, plain);
    expect(tableRows(all, "Netns    │ Local")).toHaveLength(400);
    expect(all).not.toContain("more healthy");
    const one = renderMergedStatus(status, 1, plain);
    expect(tableRows(one, "Netns    │ Local")).toHaveLength(4);
    expect(one).toContain("… 396 more healthy listeners in 200 namespaces (--top 0 shows all)");
  });

  it("adds the per-namespace report's notes under the listeners, summed over namespaces", () => {
    const s = fleet();
    const [own, first] = s.namespaces;
    if (!own || !first) throw new Error("no namespaces");
    own.synRecvUnattributed = 2;
    first.synRecvUnattributed = 1_500;
    expect(renderMergedStatus(s, 20, plain)).not.toContain("* SYN-RECV shared");
    const shared = own.listeners[0];
    if (!shared) throw new Error("no listener");
    shared.synQueue.sharedWith = 1;
    const out = renderMergedStatus(s, 20, plain);
    expect(out).toContain(
      "(--top 0 shows all)\n* SYN-RECV shared by SO_REUSEPORT listeners on the same address:port\n" +
        "1,502 SYN-RECV entries match no listener (it closed?)\n\n",
    );
    expect(tableRows(out, "Netns    │ Local")[3]).toMatch(/^│ - +│ 0\.0\.0\.0:80 .*│ 0\* +│/);
  });

  it("says so when no namespace has a listener", () => {
    const none = renderMergedStatus(
      fleet({ listenersPerNamespace: 0, overflowing: [] }),
      20,
      plain,
    );
    expect(none).toContain("200 network namespaces, 0 listeners\n\n");
    expect(none).toContain("\n\nNo TCP listeners.\n\n200 namespaces: all zero\n\n");
  });

  it("lists the namespaces with non-zero counters, then how many are all zero", () => {
    const rows = tableRows(text, "Netns    │ ListenOverflows");
    expect(rows.map(firstCell)).toEqual(["cust-150", "cust-3", "cust-17"]);
    expect(rows[0]).toMatch(/^│ cust-150 │ 300 +│ 300 +│ 0 +│ 0 +│ 0 +│ 0 +│$/);
    expect(text).toContain("\n197 namespaces: all zero\n");
    const two = renderMergedStatus(status, 2, plain);
    expect(tableRows(two, "Netns    │ ListenOverflows")).toHaveLength(2);
    expect(two).toContain(
      "\n… 1 more namespace with non-zero counters (--top 0 shows all)\n197 namespaces: all zero\n",
    );
  });

  it("shows a counter the kernel lacks as -", () => {
    const s = fleet();
    const ns = s.namespaces.find((n) => n.netns === "cust-3");
    const lacking = ns?.counters.find((c) => c.name === "TcpExt.SyncookiesFailed");
    if (!lacking) throw new Error("no SyncookiesFailed in cust-3");
    lacking.value = null;
    const rows = tableRows(renderMergedStatus(s, 20, plain), "Netns    │ ListenOverflows");
    expect(rows[1]).toMatch(/^│ cust-3 +│ 200 +│ 200 +│ 0 +│ 0 +│ 0 +│ - +│$/);
  });

  it("with --interval, shows the counters that moved with their rates, then how many did not", () => {
    const rated = renderMergedStatus(fleet({ intervalSeconds: 5 }), 20, plain);
    const rows = tableRows(rated, "Netns    │ ListenOverflows");
    expect(rows[0]).toMatch(/^│ cust-150 │ 300 \(10\/s\) +│ 300 \(10\/s\) +│ 0 +│/);
    expect(rated).toContain("\n197 namespaces: unchanged\n");
    expect(rated).not.toContain("all zero");
  });

  it("says all zero alone when no namespace has a counter to show", () => {
    const quiet = renderMergedStatus(fleet({ overflowing: [] }), 20, plain);
    expect(quiet).toContain("\n\n200 namespaces: all zero\n\n");
    expect(quiet).toContain("\nNo problems found.");
  });

  it("shows each sysctl once, and names the namespaces that differ", () => {
    const rows = tableRows(text, "Sysctl");
    expect(rows).toHaveLength(12);
    expect(rows[0]).toMatch(
      /^│ net\.core\.somaxconn +│ 4096\* +│ listen\(\) backlogs are capped at 4096 +│$/,
    );
    expect(rows.filter((r) => r.includes("*"))).toHaveLength(1);
    expect(text).toContain("\n* net.core.somaxconn: 4096 everywhere except cust-42 (128)\n");
  });

  it("names at most ten namespaces that differ, then how many more", () => {
    const names = fleetNames(200);
    const odd = Object.fromEntries(
      names.slice(0, 15).map((n, i) => [n, { "net.ipv4.tcp_synack_retries": i % 2 ? 2 : null }]),
    );
    const out = renderMergedStatus(fleet({ sysctls: odd }), 20, plain);
    expect(out).toContain(
      "\n* net.ipv4.tcp_synack_retries: 5 everywhere except this namespace (-), cust-1 (2), " +
        "cust-2 (-), cust-3 (2), cust-4 (-), cust-5 (2), cust-6 (-), cust-7 (2), cust-8 (-), " +
        "cust-9 (2), and 5 more\n",
    );
  });

  it("groups the findings by code: an example, its fix, and where else", () => {
    const findings = text.slice(text.lastIndexOf("namespaces: all zero\n\n") + 22).split("\n");
    expect(findings).toEqual([
      "CRIT accept-queue-full ×3, e.g. netns cust-3 0.0.0.0:80: accept queue full: 512 connections wait for accept() with backlog 511; new SYNs and final ACKs are dropped",
      "     fix: accept faster, or raise the listen() backlog of 0.0.0.0:80 (nginx) and net.core.somaxconn (now 4096)",
      "     in cust-3 (0.0.0.0:80), cust-17 (0.0.0.0:80), cust-150 (0.0.0.0:80)",
      "WARN listener-dropped ×3, e.g. netns cust-3 0.0.0.0:80: dropped 200 SYNs/ACKs since it started listening",
      "     fix: accept faster, or raise the listen() backlog of 0.0.0.0:80 (nginx) and net.core.somaxconn (now 4096)",
      "     in cust-3 (0.0.0.0:80), cust-17 (0.0.0.0:80), cust-150 (0.0.0.0:80)",
    ]);
  });

  it("shows a finding met once as the per-namespace report does, after its code", () => {
    const once = renderMergedStatus(
      fleet({ overflowing: ["cust-3"], sysctls: { "": { "net.ipv4.tcp_syncookies": 0 } } }),
      20,
      plain,
    );
    // The last finding: warnings met as often come by code.
    expect(
      once.endsWith(
        "\nWARN syncookies-disabled, net.ipv4.tcp_syncookies=0: a full SYN queue drops new connections, and a SYN flood takes listeners down\n" +
          "     fix: sysctl -w net.ipv4.tcp_syncookies=1",
      ),
    ).toBe(true);
    expect(once).toContain(
      "\nCRIT accept-queue-full, netns cust-3 0.0.0.0:80: accept queue full: 512 connections",
    );
    expect(once).not.toContain("\n     in ");
  });

  it("names places in at most ten entries, synq's own namespace as this namespace", () => {
    const names = fleetNames(200).slice(0, 13);
    const out = renderMergedStatus(fleet({ overflowing: names }), 20, plain);
    expect(out).toContain(
      "\n     in this namespace (0.0.0.0:80), cust-1 (0.0.0.0:80), cust-2 (0.0.0.0:80), " +
        "cust-3 (0.0.0.0:80), cust-4 (0.0.0.0:80), cust-5 (0.0.0.0:80), cust-6 (0.0.0.0:80), " +
        "cust-7 (0.0.0.0:80), cust-8 (0.0.0.0:80), cust-9 (0.0.0.0:80), and 3 more\n",
    );
  });

  it("says so for one namespace and one listener", () => {
    const one = renderMergedStatus(
      fleetStatus({ namespaces: 1, listenersPerNamespace: 1 }),
      20,
      plain,
    );
    expect(one.split("\n")[1]).toBe("1 network namespace, 1 listener");
    expect(one).toContain("\n1 namespace: all zero\n");
  });

  it("has no escape codes without colour, and colours problems with it", () => {
    expect(text).not.toContain("\u001b[");
    const coloured = renderMergedStatus(status, 20, palette({ isTTY: true }, {}));
    expect(coloured).toContain("\u001b[31mCRIT\u001b[39m accept-queue-full");
    expect(coloured).toContain("\u001b[31m300\u001b[39m");
  });
});

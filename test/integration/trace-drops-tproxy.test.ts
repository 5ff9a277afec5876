/**
 * The Spectrum write-up's setup (Cloudflare, "SYN packet handling in the wild"): an AnyIP
 * route makes 192.0.2.0/24 local, an nftables TPROXY rule sends every TCP packet for it to an
 * IP_TRANSPARENT listener on 127.0.0.1:1234 that never accepts. Each drop must name that
 * listener and the address the client actually connected to, and the count must match
 * ListenOverflows. tc runs before netfilter and cannot see where TPROXY sends a SYN: it must
 * stay silent rather than blame another socket.
 */
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { strategiesHere, waitForNoLeftovers } from "../helpers/bpf-state.js";
import { createNetns, deleteNetns, startScenario } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import {
  acceptQueueDrops,
  addLoopbackAddresses,
  logFigures,
  traceAround,
} from "../helpers/trace-scenarios.js";

const tools = ["ip", "nstat", "nft", "tc", "bpftool", "clang"];
const skip = missing(isRoot && tools.every(hasTool), `root with ${tools.join(", ")}`);
const strategies = skip ? [] : strategiesHere();

let ns = "";
afterEach(async () => {
  deleteNetns(ns);
  expect(await waitForNoLeftovers()).toEqual([]);
});

/** AnyIP + TPROXY of 192.0.2.0/24 (any TCP port) to 127.0.0.1:1234. */
function tproxyNetns(): string {
  const name = createNetns("synq-tproxy");
  execFileSync("ip", ["-n", name, "route", "add", "local", "192.0.2.0/24", "dev", "lo"]);
  const ruleset = `table ip synq_tproxy {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    ip daddr 192.0.2.0/24 meta l4proto tcp tproxy to 127.0.0.1:1234
  }
}
`;
  execFileSync("ip", ["netns", "exec", name, "nft", "-f", "-"], { input: ruleset });
  addLoopbackAddresses(name, ["127.0.0.2", "127.0.0.3"]);
  return name;
}

describe.skipIf(skip).each(strategies)("TPROXY with --strategy %s", (strategy) => {
  it("names the transparent listener and the packets' real destinations", async () => {
    ns = tproxyNetns();
    const run = await traceAround(ns, ["--strategy", strategy], async () => {
      const s = await startScenario(ns, {
        listeners: [{ address: "127.0.0.1", port: 1234, backlog: 2, transparent: true }],
        connect: [
          { host: "192.0.2.5", port: 80, count: 6, localAddress: "127.0.0.2" },
          { host: "192.0.2.6", port: 443, count: 6, localAddress: "127.0.0.3" },
        ],
        settleMs: 2500,
      });
      await s.stop();
    });
    logFigures("TPROXY", run);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.listenOverflows).toBeGreaterThan(5);
    for (const d of run.drops) {
      expect(d.listener).toMatchObject({ address: "127.0.0.1", port: 1234 });
      expect([
        { address: "192.0.2.5", port: 80 },
        { address: "192.0.2.6", port: 443 },
      ]).toContainEqual(d.destination);
      expect(["127.0.0.2", "127.0.0.3"]).toContain(d.remote.address);
    }
    if (strategy === "tc") {
      // Blind to where TPROXY sends a SYN: silent, never wrong.
      expect(run.summary.totals["accept-queue-full"]).toBe(0);
      expect(acceptQueueDrops(run.summary)).toBeLessThanOrEqual(run.listenOverflows);
      return;
    }
    expect(acceptQueueDrops(run.summary)).toBe(run.listenOverflows);
    expect(new Set(run.drops.map((d) => d.destination.address))).toEqual(
      new Set(["192.0.2.5", "192.0.2.6"]),
    );
  });
});

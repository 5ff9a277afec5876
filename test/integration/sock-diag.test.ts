import { readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpSockets } from "../../src/status/read-sockets-diag.js";
import { withNetns } from "../../src/system/enter-netns.js";
import { createNetns, deleteNetns, type RunningScenario, startScenario } from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";

const skip = missing(isRoot && hasTool("ip"), "root with ip");
const ownNetns = () => readlinkSync("/proc/thread-self/ns/net");

describe.skipIf(skip)("sock_diag reads inside another network namespace", () => {
  let ns = "";
  let scenario: RunningScenario | undefined;
  beforeAll(async () => {
    ns = createNetns("synq-diag");
    scenario = await startScenario(ns, {
      listeners: [
        { address: "127.0.0.1", port: 47123, backlog: 7 },
        { address: "::1", port: 47124, backlog: 9, v6only: true },
      ],
      rawSyns: [{ src: "192.0.2.40", dst: "127.0.0.1", dport: 47123, count: 3 }],
      settleMs: 500,
    });
  });
  afterAll(async () => {
    await scenario?.stop();
    deleteNetns(ns);
  });

  it("sees that namespace's sockets, then comes back to its own", () => {
    const home = ownNetns();
    const dump = withNetns(`/run/netns/${ns}`, ns, dumpSockets);
    expect(ownNetns()).toBe(home);
    const v4 = dump.listeners.find((l) => l.local.port === 47123);
    expect(v4).toMatchObject({ local: { address: "127.0.0.1", family: "inet" }, backlog: 7 });
    expect(dump.listeners.find((l) => l.local.port === 47124)).toMatchObject({
      local: { address: "::1", family: "inet6" },
      backlog: 9,
      v6only: true,
    });
    expect(dump.synRecv).toEqual([
      { local: { family: "inet", address: "127.0.0.1", port: 47123, device: null }, count: 3 },
    ]);
    const here = withNetns(null, "", dumpSockets);
    expect(here.listeners.some((l) => l.local.port === 47123)).toBe(false);
  });

  it("comes back to its own namespace when the reading fails inside", () => {
    const home = ownNetns();
    expect(() =>
      withNetns(`/run/netns/${ns}`, ns, () => {
        throw new Error("inside");
      }),
    ).toThrow("inside");
    expect(ownNetns()).toBe(home);
  });
});

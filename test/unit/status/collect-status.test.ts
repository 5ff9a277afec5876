import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { collectStatus, NAMESPACES_AT_ONCE } from "../../../src/status/collect-status.js";
import { currentNetns } from "../../../src/system/netns-target.js";

// The real scan, counted: how many times a sample walks /proc is what is under test.
const scans = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../../src/system/socket-owners.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/system/socket-owners.js")>();
  return {
    ...real,
    scanSocketFds: (...args: Parameters<typeof real.scanSocketFds>) => {
      scans.count++;
      return real.scanSocketFds(...args);
    },
  };
});

// The real sampling, with how many namespaces are being read at once.
const sampling = vi.hoisted(() => ({ active: 0, most: 0 }));
vi.mock("../../../src/status/read-namespace.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/status/read-namespace.js")>();
  return {
    ...real,
    sampleNamespace: async (...args: Parameters<typeof real.sampleNamespace>) => {
      sampling.active++;
      sampling.most = Math.max(sampling.most, sampling.active);
      try {
        return await real.sampleNamespace(...args);
      } finally {
        sampling.active--;
      }
    },
  };
});

describe("collectStatus: socket owners", () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());

  it("scans /proc once per sample, however many namespaces it reads", async () => {
    scans.count = 0;
    const status = await collectStatus({
      targets: [currentNetns, currentNetns, currentNetns],
      port,
      intervalSeconds: null,
    });
    expect(scans.count).toBe(1);
    expect(status.namespaces).toHaveLength(3);
    for (const ns of status.namespaces) {
      expect(ns.listeners.map((l) => l.processes.map((p) => p.pid))).toEqual([[process.pid]]);
    }
  });

  it("scans again for the second sample of --interval", async () => {
    scans.count = 0;
    await collectStatus({ targets: [currentNetns, currentNetns], port, intervalSeconds: 0.05 });
    expect(scans.count).toBe(2);
  });
});

describe("collectStatus: many namespaces", () => {
  it(`reads at most ${NAMESPACES_AT_ONCE} namespaces at once, and reports every one in order`, async () => {
    sampling.most = 0;
    const count = NAMESPACES_AT_ONCE * 3;
    const status = await collectStatus({
      targets: Array.from({ length: count }, (_, i) => ({ ...currentNetns, name: `n${i}` })),
      port: 1,
      intervalSeconds: null,
    });
    expect(status.namespaces.map((n) => n.netns)).toEqual(
      Array.from({ length: count }, (_, i) => `n${i}`),
    );
    expect(sampling.most).toBe(NAMESPACES_AT_ONCE);
  });
});

import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { collectStatus } from "../../../src/status/collect-status.js";
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

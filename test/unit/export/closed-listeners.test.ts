import { describe, expect, it } from "vitest";
import { closedListenerKeys } from "../../../src/export/closed-listeners.js";
import { STATUS_SCHEMA_VERSION, type Status } from "../../../src/model/status.js";
import type { ListenerKey } from "../../../src/trace/event-layout.js";

const WEB = 4026532000;
const GONE = 4026532001;

const key = (netnsIno: number, sockIno: number): ListenerKey => ({
  sockIno,
  family: 2,
  v6only: false,
  address: "0.0.0.0",
  port: 80,
  netnsIno,
  reason: "accept-queue-full",
});

/** A status that lists, per namespace, the inodes of its listeners (null: unknown). */
function status(namespaces: Record<string, (number | null)[]>): Status {
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: "2026-01-01T00:00:00.000Z",
    kernel: { release: "6.18.0", synQueueRule: "rule" },
    intervalSeconds: null,
    namespaces: Object.entries(namespaces).map(([netns, inodes]) => ({
      netns,
      listeners: inodes.map((inode) => ({ inode })),
    })),
  } as unknown as Status;
}

describe("closedListenerKeys", () => {
  it("picks the sockets the status no longer lists, and keeps the ones it lists", () => {
    const keys = [key(WEB, 1), { ...key(WEB, 1), reason: "syn-queue-full" as const }, key(WEB, 2)];
    const names = new Map([[WEB, "web"]]);
    expect(closedListenerKeys(keys, names, status({ web: [1, 3] }))).toEqual([key(WEB, 2)]);
  });

  it("picks every entry of a namespace the export no longer selects", () => {
    const names = new Map([[WEB, "web"]]);
    expect(closedListenerKeys([key(GONE, 1)], names, status({ web: [1] }))).toEqual([key(GONE, 1)]);
  });

  it("keeps what the status cannot tell about: a namespace not read, a listener without inode", () => {
    const names = new Map([
      [WEB, "web"],
      [GONE, "skipped"],
    ]);
    const keys = [key(WEB, 2), key(GONE, 1)];
    expect(closedListenerKeys(keys, names, status({ web: [1, null] }))).toEqual([]);
  });
});

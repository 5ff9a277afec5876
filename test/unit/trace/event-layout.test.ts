/**
 * The TS decoder reads bpf/acceptq.h's structs at hand-written offsets. Checked two ways:
 * offsetof()/sizeof() compiled from the header itself, and the key structs as the committed
 * object's BTF records them (the event struct is only reached through a ring-buffer pointer,
 * so the compiler leaves it out of BTF).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ACCEPTQ_EVENT,
  ACCEPTQ_LISTENER_KEY,
  ACCEPTQ_PEAK,
  ACCEPTQ_REMOTE_KEY,
  decodeEvent,
  decodeListenerIdentity,
  decodeListenerKey,
  decodeRemoteKey,
  listenerId,
  maxOverCpus,
} from "../../../src/trace/event-layout.js";
import { hasTool, missing } from "../../helpers/prerequisites.js";

const bpfDir = fileURLToPath(new URL("../../../bpf", import.meta.url));
const LAYOUTS = {
  acceptq_event: ACCEPTQ_EVENT,
  acceptq_listener_key: ACCEPTQ_LISTENER_KEY,
  acceptq_remote_key: ACCEPTQ_REMOTE_KEY,
  acceptq_peak: ACCEPTQ_PEAK,
} as const;

const skip = missing(hasTool("clang") && hasTool("bpftool"), "clang and bpftool");

/** offsetof of every field named in the TS layouts, and sizeof, from the C header. */
function compiledLayouts(): Record<string, Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "synq-layout-"));
  try {
    const lines: string[] = [];
    for (const [struct, layout] of Object.entries(LAYOUTS)) {
      for (const field of Object.keys(layout)) {
        const expr =
          field === "size" ? `sizeof(struct ${struct})` : `offsetof(struct ${struct}, ${field})`;
        lines.push(`printf("${struct} ${field} %zu\\n", ${expr});`);
      }
    }
    const src = `#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "acceptq.h"
int main(void) { ${lines.join("\n")} return 0; }
`;
    writeFileSync(join(dir, "layout.c"), src);
    execFileSync("clang", ["-I", bpfDir, "-o", join(dir, "layout"), join(dir, "layout.c")]);
    const out = execFileSync(join(dir, "layout"), { encoding: "utf8" });
    const result: Record<string, Record<string, number>> = {};
    for (const line of out.trim().split("\n")) {
      const [struct, field, value] = line.split(" ") as [string, string, string];
      result[struct] ??= {};
      (result[struct] as Record<string, number>)[field] = Number(value);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Member offsets (bytes) and size of a struct in the committed object's BTF. */
function btfLayout(struct: string): Record<string, number> {
  const raw = execFileSync(
    "bpftool",
    ["btf", "dump", "file", join(bpfDir, "acceptq.bpf.o"), "format", "raw"],
    { encoding: "utf8" },
  );
  const start = raw.indexOf(`STRUCT '${struct}'`);
  if (start < 0) throw new Error(`no ${struct} in the object's BTF`);
  const lines = raw.slice(start).split("\n");
  const head = /size=(\d+) vlen=(\d+)/.exec(lines[0] as string);
  const layout: Record<string, number> = { size: Number(head?.[1]) };
  for (const line of lines.slice(1, 1 + Number(head?.[2]))) {
    const m = /'(\w+)' type_id=\d+ bits_offset=(\d+)/.exec(line);
    if (m) layout[m[1] as string] = Number(m[2]) / 8;
  }
  return layout;
}

describe.skipIf(skip)("bpf/acceptq.h layouts", () => {
  let compiled: Record<string, Record<string, number>>;
  beforeAll(() => {
    compiled = compiledLayouts();
  });

  for (const [struct, layout] of Object.entries(LAYOUTS)) {
    it(`${struct}: every TS offset equals offsetof() from the header`, () => {
      expect(layout).toEqual(compiled[struct]);
    });
  }

  for (const struct of ["acceptq_listener_key", "acceptq_remote_key", "acceptq_peak"] as const) {
    it(`${struct}: every TS offset equals the compiled object's BTF`, () => {
      expect(LAYOUTS[struct]).toEqual(btfLayout(struct));
    });
  }
});

describe("decoding", () => {
  const buf = new ArrayBuffer(ACCEPTQ_EVENT.size);
  const v = new DataView(buf);
  const b = new Uint8Array(buf);
  beforeAll(() => {
    v.setBigUint64(ACCEPTQ_EVENT.ts_ns, 123456789n, true);
    v.setBigUint64(ACCEPTQ_EVENT.sock_ino, 4242n, true);
    b.set([127, 0, 0, 1], ACCEPTQ_EVENT.listen_addr);
    b.set([192, 0, 2, 5], ACCEPTQ_EVENT.dst_addr);
    b.set([10, 1, 2, 3], ACCEPTQ_EVENT.src_addr);
    v.setUint32(ACCEPTQ_EVENT.netns_ino, 4026531840, true);
    v.setUint32(ACCEPTQ_EVENT.acceptq_len, 5, true);
    v.setUint32(ACCEPTQ_EVENT.acceptq_max, 4, true);
    v.setUint32(ACCEPTQ_EVENT.synq_len, 2, true);
    v.setUint16(ACCEPTQ_EVENT.listen_port, 1234, true);
    v.setUint16(ACCEPTQ_EVENT.dst_port, 80, true);
    v.setUint16(ACCEPTQ_EVENT.src_port, 40000, true);
    v.setUint8(ACCEPTQ_EVENT.listen_family, 2);
    v.setUint8(ACCEPTQ_EVENT.pkt_family, 2);
    v.setUint8(ACCEPTQ_EVENT.reason, 2);
    v.setUint8(ACCEPTQ_EVENT.hook, 5);
    v.setUint8(ACCEPTQ_EVENT.syncookies, 1);
  });

  it("reads every field of an event", () => {
    expect(decodeEvent(v)).toEqual({
      tsNs: 123456789n,
      sockIno: 4242,
      listenFamily: 2,
      listenV6only: false,
      listenAddress: "127.0.0.1",
      listenPort: 1234,
      pktFamily: 2,
      dstAddress: "192.0.2.5",
      dstPort: 80,
      srcAddress: "10.1.2.3",
      srcPort: 40000,
      netnsIno: 4026531840,
      acceptQueue: 5,
      acceptQueueMax: 4,
      synQueue: 2,
      reason: "accept-queue-full-ack",
      hook: "cgroup",
      syncookies: 1,
    });
  });

  it("refuses a short record and an unknown reason", () => {
    expect(() => decodeEvent(new DataView(buf, 0, 95))).toThrow(/95 bytes/);
    const bad = new DataView(buf.slice(0));
    bad.setUint8(ACCEPTQ_EVENT.reason, 9);
    expect(() => decodeEvent(bad)).toThrow(/unknown reason 9/);
  });

  it("reads IPV6_V6ONLY of an IPv6 listener", () => {
    const v6 = new DataView(buf.slice(0));
    v6.setUint8(ACCEPTQ_EVENT.listen_family, 10);
    expect(decodeEvent(v6).listenV6only).toBe(false);
    v6.setUint8(ACCEPTQ_EVENT.listen_v6only, 1);
    expect(decodeEvent(v6).listenV6only).toBe(true);
  });

  it("reads an IPv6 dual-stack listener key, an IPv6-only one and a /64 remote key", () => {
    const k = new DataView(new ArrayBuffer(ACCEPTQ_LISTENER_KEY.size));
    k.setBigUint64(ACCEPTQ_LISTENER_KEY.sock_ino, 7n, true);
    k.setUint32(ACCEPTQ_LISTENER_KEY.netns_ino, 99, true);
    k.setUint16(ACCEPTQ_LISTENER_KEY.port, 9090, true);
    k.setUint8(ACCEPTQ_LISTENER_KEY.family, 10);
    k.setUint8(ACCEPTQ_LISTENER_KEY.reason, 1);
    expect(decodeListenerKey(k)).toEqual({
      sockIno: 7,
      family: 10,
      v6only: false,
      address: "::",
      port: 9090,
      netnsIno: 99,
      reason: "accept-queue-full",
    });
    k.setUint8(ACCEPTQ_LISTENER_KEY.v6only, 1);
    expect(decodeListenerKey(k).v6only).toBe(true);
    const r = new DataView(new ArrayBuffer(ACCEPTQ_REMOTE_KEY.size));
    new Uint8Array(r.buffer).set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 7], 0);
    r.setUint32(ACCEPTQ_REMOTE_KEY.netns_ino, 99, true);
    r.setUint8(ACCEPTQ_REMOTE_KEY.family, 10);
    r.setUint8(ACCEPTQ_REMOTE_KEY.reason, 3);
    const key = decodeRemoteKey(r);
    expect(key).toMatchObject({ family: 10, netnsIno: 99, reason: "syn-queue-full" });
    expect([...key.prefix]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 7]);
  });
});

describe("peak maps", () => {
  /** A per-CPU value as bpf_map_lookup_elem() returns it: one struct acceptq_peak a CPU. */
  function perCpu(slots: [depth: number, max: number][]): DataView {
    const v = new DataView(new ArrayBuffer(slots.length * ACCEPTQ_PEAK.size));
    slots.forEach(([depth, max], cpu) => {
      v.setUint32(cpu * ACCEPTQ_PEAK.size + ACCEPTQ_PEAK.depth, depth, true);
      v.setUint32(cpu * ACCEPTQ_PEAK.size + ACCEPTQ_PEAK.max, max, true);
    });
    return v;
  }

  it("takes the deepest CPU's depth, with the queue limit that CPU saw", () => {
    expect(
      maxOverCpus(
        perCpu([
          [2, 8],
          [0, 0],
          [7, 5],
          [7, 9],
          [3, 8],
        ]),
        5,
      ),
    ).toEqual({
      depth: 7,
      max: 5,
    });
    expect(
      maxOverCpus(
        perCpu([
          [0, 0],
          [1, 128],
        ]),
        2,
      ),
    ).toEqual({ depth: 1, max: 128 });
  });

  it("is null when no CPU saw a non-empty queue (a CPU's slot of a new entry is 0)", () => {
    expect(
      maxOverCpus(
        perCpu([
          [0, 0],
          [0, 0],
        ]),
        2,
      ),
    ).toBeNull();
  });

  it("refuses a value shorter than one slot per possible CPU", () => {
    expect(() => maxOverCpus(perCpu([[1, 1]]), 2)).toThrow(/8 bytes, expected 16/);
  });

  it("decodes a peak key (reason 0) as the listener alone, with the counters' id", () => {
    const k = new DataView(new ArrayBuffer(ACCEPTQ_LISTENER_KEY.size));
    k.setBigUint64(ACCEPTQ_LISTENER_KEY.sock_ino, 77n, true);
    new Uint8Array(k.buffer).set([10, 0, 0, 9], ACCEPTQ_LISTENER_KEY.addr);
    k.setUint32(ACCEPTQ_LISTENER_KEY.netns_ino, 4026532000, true);
    k.setUint16(ACCEPTQ_LISTENER_KEY.port, 443, true);
    k.setUint8(ACCEPTQ_LISTENER_KEY.family, 2);
    const identity = decodeListenerIdentity(k);
    expect(identity).toEqual({
      sockIno: 77,
      family: 2,
      v6only: false,
      address: "10.0.0.9",
      port: 443,
      netnsIno: 4026532000,
    });
    expect(() => decodeListenerKey(k)).toThrow(/unknown reason 0/);
    k.setUint8(ACCEPTQ_LISTENER_KEY.reason, 1);
    expect(listenerId(decodeListenerKey(k))).toBe(listenerId(identity));
  });
});

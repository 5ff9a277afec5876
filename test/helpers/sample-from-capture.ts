import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SYSCTLS } from "../../src/kernel/sysctl-catalog.js";
import { parseProcNetCounters } from "../../src/parsers/proc-net-counters.js";
import { parseSsListeners } from "../../src/parsers/ss-listeners.js";
import { countSynRecv } from "../../src/parsers/ss-syn-recv.js";
import type { NamespaceSample } from "../../src/status/read-namespace.js";
import type { Capture } from "./fixtures.js";

/** A NamespaceSample read from a fixture capture, as read-namespace.ts would read it live. */
export function sampleFromCapture(capture: Capture): NamespaceSample {
  const sysctls = new Map(
    SYSCTLS.map((s) => {
      const path = join(capture.dir, "proc", "sys", ...s.key.split("."));
      return [s.key, existsSync(path) ? Number(readFileSync(path, "utf8").trim()) : null] as const;
    }),
  );
  return {
    sysctls,
    counters: {
      ...parseProcNetCounters(capture.read("proc/net/netstat"), "netstat"),
      ...parseProcNetCounters(capture.read("proc/net/snmp"), "snmp"),
    },
    listeners: parseSsListeners(capture.read("ss-listeners.txt")),
    synRecv: countSynRecv(capture.read("ss-syn-recv.txt")),
    takenAt: 0,
  };
}

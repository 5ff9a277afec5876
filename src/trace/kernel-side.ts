/**
 * The kernel side of a trace session: checks what is needed, loads and attaches the tracer,
 * and reads its maps. The session talks to it only through KernelSide, so tests can hand the
 * session a fake one that delivers records and counters.
 */
import { readFileSync } from "node:fs";
import { resolveCgroup } from "../system/cgroup-path.js";
import { NetnsHandle } from "../system/enter-netns.js";
import { resolveNetns } from "../system/netns.js";
import { deleteHashKeys, type PeakEntry, readHashCounts, readTotals } from "./bpf-maps.js";
import {
  ACCEPTQ_LISTENER_KEY,
  ACCEPTQ_REMOTE_KEY,
  decodeListenerKey,
  decodeRemoteKey,
  type ListenerKey,
  listenerKeyId,
  TOTAL_SLOTS,
} from "./event-layout.js";
import {
  assertBtf,
  assertPrivileges,
  effectiveCapabilities,
  readKernelFeatures,
} from "./kernel-features.js";
import { openTracer, type Tracer } from "./loader.js";
import type { TraceRequest } from "./request.js";
import type { ReleaseFailure } from "./resources.js";
import type { TraceCounters } from "./summary.js";

/** A loaded, attached tracer, as the session uses it. */
export interface AttachedTracer
  extends Pick<Tracer, "strategy" | "attempts" | "tcAttachments" | "cgroup" | "netnsIno"> {
  /** The running kernel's release. */
  kernel: string;
  /** Drains the ring buffer into the record callback; returns the number of records. */
  consume(): number;
  /** Records the ring buffer had no room for, so far. */
  lost(): number;
  /** The counter maps, read now. */
  counters(): TraceCounters;
  /**
   * Deletes these keys' entries from the per-listener counter map (sockets that closed), so
   * that it keeps room for new listeners; returns how many it deleted.
   */
  forgetListeners(keys: readonly ListenerKey[]): number;
  /**
   * Each listener's peak accept-queue depth since the last reset (with `reset`, reset now,
   * losing nothing); null when the tracer keeps no peaks.
   */
  peaks(reset: boolean): PeakEntry[] | null;
  /** Detaches every program; maps stay readable. Idempotent. */
  detach(): ReleaseFailure[];
  /** Releases everything in reverse order (detach first). Idempotent. */
  close(): ReleaseFailure[];
}

/** Opens a tracer for a request; `onRecord` gets each ring-buffer record as it is drained. */
export interface KernelSide {
  open(req: TraceRequest, onRecord: (record: DataView) => void): Promise<AttachedTracer>;
}

/** The running kernel, through libbpf. */
export const liveKernel: KernelSide = {
  async open(req, onRecord) {
    assertPrivileges(
      effectiveCapabilities(readFileSync("/proc/self/status", "utf8")),
      process.geteuid?.() ?? 0,
      req.strategy === "tc",
    );
    assertBtf();
    const target = req.netns !== null ? await resolveNetns(req.netns) : null;
    const features = readKernelFeatures();
    const cgroup = req.cgroup !== null ? resolveCgroup(req.cgroup, features.cgroup2Root) : null;
    const netns = target?.path ? NetnsHandle.open(target.path) : null;
    let tracer: Tracer;
    try {
      tracer = openTracer(
        req.strategy,
        features,
        {
          port: req.port,
          netns,
          reasons: req.reasons,
          interfaces: req.interfaces,
          tcHook: req.tcHook,
          cgroup,
          records: !req.summaryOnly,
          peaks: req.peaks === true,
          ringBufferBytes: req.ringBufferKb * 1024,
        },
        onRecord,
      );
    } catch (err) {
      netns?.close();
      throw err;
    }
    return {
      strategy: tracer.strategy,
      attempts: tracer.attempts,
      tcAttachments: tracer.tcAttachments,
      cgroup: tracer.cgroup,
      netnsIno: tracer.netnsIno,
      kernel: features.release,
      consume: () => tracer.consume(),
      lost: () => readTotals(tracer.totalsFd)[TOTAL_SLOTS.ringbufLost] ?? 0,
      counters: () => ({
        totals: readTotals(tracer.totalsFd),
        listeners: readHashCounts(tracer.listenersFd, ACCEPTQ_LISTENER_KEY.size).map((e) => ({
          key: decodeListenerKey(e.key),
          count: e.count,
        })),
        remotes: readHashCounts(tracer.remotesFd, ACCEPTQ_REMOTE_KEY.size).map((e) => ({
          key: decodeRemoteKey(e.key),
          count: e.count,
        })),
      }),
      forgetListeners: (keys) => {
        const doomed = new Set(keys.map(listenerKeyId));
        return deleteHashKeys(tracer.listenersFd, ACCEPTQ_LISTENER_KEY.size, (k) =>
          doomed.has(listenerKeyId(decodeListenerKey(k))),
        );
      },
      peaks: (reset) => tracer.peaks?.read(reset) ?? null,
      detach: () => tracer.detach(),
      close: () => {
        const failures = tracer.close();
        netns?.close();
        return failures;
      },
    };
  },
};

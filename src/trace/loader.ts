/**
 * Loads bpf/acceptq.bpf.o for one strategy and attaches it, in libbpf's order:
 * open → choose autoload → set rodata → load → attach. `--strategy auto` tries the strategies
 * best first and keeps the first that loads and attaches; each failed attempt is undone and
 * its reason kept for --verbose. Everything acquired is registered with one Resources stack,
 * released in reverse order by Tracer.close().
 */
import { closeSync, openSync } from "node:fs";
import { SynqError } from "../errors.js";
import { Btf } from "../ffi/btf.js";
import {
  BpfObject,
  copyBytes,
  LibbpfError,
  libbpf,
  libbpfError,
  packagedBpfObject,
} from "../ffi/libbpf.js";
import { RingBuffer } from "../ffi/ring-buffer.js";
import { type Reason, STRATEGIES, type Strategy, type TcHookChoice } from "../model/trace-enums.js";
import { NetnsHandle } from "../system/enter-netns.js";
import { Errno } from "../system/errno.js";
import { PeakGenerations, possibleCpus } from "./bpf-maps.js";
import { reasonValue } from "./event-layout.js";
import { type ReleaseFailure, Resources } from "./resources.js";
import {
  describeStrategy,
  type KernelFeatures,
  strategyPrecheck,
  strategyPrograms,
  tcHookFor,
} from "./strategy.js";
import {
  chooseInterfaces,
  describeTcAttachment,
  listInterfaces,
  type TcAttachment,
  tcAttach,
  tcDetach,
} from "./tc.js";

/** The compiled tracer, shipped in the package's bpf/ directory. */
export const TRACER_OBJECT = "acceptq.bpf.o";

/** The two generations of peak maps; `acceptq_peaks` selects the one written. */
const PEAK_GENERATIONS = ["acceptq_peaks_a", "acceptq_peaks_b"] as const;

/** What to trace and where. */
export interface TracerConfig {
  /** Only listeners on this local port. */
  port: number | null;
  /** The namespace to trace: filters events to it, and tc attaches there. Null: any / own. */
  netns: NetnsHandle | null;
  reasons: Reason[];
  /** tc: interfaces to attach to; empty = every interface that is up. */
  interfaces: string[];
  /** tc: the ingress hook (--tc-hook). */
  tcHook: TcHookChoice;
  /** cgroup: the cgroup v2 directory to attach to (--cgroup); null: the root. */
  cgroup: string | null;
  /** False: count only, no per-drop records (--summary). */
  records: boolean;
  /** Keep each listener's peak accept-queue depth (the peak maps). */
  peaks: boolean;
  /** Ring-buffer size in bytes (a power of two, ≥ a page). */
  ringBufferBytes?: number;
  objectPath?: string;
}

/** How one strategy fared. */
export interface StrategyAttempt {
  strategy: Strategy;
  used: boolean;
  /** Why it was rejected, or what it does when used. */
  detail: string;
}

/** A loaded, attached tracer. */
export interface Tracer {
  strategy: Strategy;
  attempts: StrategyAttempt[];
  programs: string[];
  tcAttachments: TcAttachment[];
  /** cgroup: the cgroup directory the program is attached to; null for other strategies. */
  cgroup: string | null;
  /** The namespace events are limited to: --netns, or for tc the one it attached in. */
  netnsIno: number | null;
  totalsFd: number;
  listenersFd: number;
  remotesFd: number;
  /** The peak maps; null when the config did not ask for peaks. */
  peaks: PeakGenerations | null;
  /** Drains the ring buffer into the event callback; returns the number of records. */
  consume(): number;
  /** Detaches every program (links, tc filters and qdiscs); maps stay readable. Idempotent. */
  detach(): ReleaseFailure[];
  /** Releases everything in reverse order (detach first); idempotent. */
  close(): ReleaseFailure[];
}

/** `const volatile` globals of bpf/acceptq.bpf.c, as bytes to write. */
interface Rodata {
  filter_port: number;
  filter_netns_ino: number;
  filter_reasons: number;
  synq_rule: number;
  emit_records: number;
  tc_predict_request_ack: number;
  track_peaks: number;
}

/** Writes rodata values (before load) at the offsets the object's BTF DATASEC gives. */
function setRodata(obj: BpfObject, values: Rodata): void {
  const map = obj.map(".rodata");
  const size: [number] = [0];
  const initial = libbpf().bpf_map__initial_value(map, size);
  if (!initial) throw libbpfError("reading the tracer's rodata", -Errno.ENOENT);
  const data = copyBytes(initial, size[0]);
  const view = new DataView(data.buffer);
  const vars = Btf.ofObject(obj).datasecVars(".rodata");
  for (const [name, value] of Object.entries(values)) {
    const v = vars.find((x) => x.name === name);
    if (!v) throw new Error(`the tracer object has no rodata variable ${name}`);
    if (v.size === 1) view.setUint8(v.offset, value);
    else if (v.size === 2) view.setUint16(v.offset, value, true);
    else view.setUint32(v.offset, value, true);
  }
  const err = libbpf().bpf_map__set_initial_value(map, data, data.length);
  if (err) throw libbpfError("setting the tracer's rodata", err);
}

function rodata(config: TracerConfig, features: KernelFeatures, netnsIno: number): Rodata {
  return {
    filter_port: config.port ?? 0,
    filter_netns_ino: netnsIno,
    filter_reasons: config.reasons.reduce((mask, r) => mask | (1 << reasonValue(r)), 0),
    synq_rule: features.synQueueRule === "backlog-plus-one" ? 1 : 0,
    emit_records: config.records ? 1 : 0,
    tc_predict_request_ack: features.listenOverflowReason === null ? 1 : 0,
    track_peaks: config.peaks ? 1 : 0,
  };
}

/** One attempt at one strategy; undone completely when it throws. */
function openStrategy(
  strategy: Strategy,
  features: KernelFeatures,
  config: TracerConfig,
  onRecord: (record: DataView) => void,
): Omit<Tracer, "attempts"> {
  // Two stacks: attachments go first (detach), the object and its maps last.
  const res = new Resources();
  const links = new Resources();
  const close = () => [...links.close(), ...res.close()];
  try {
    const programs = strategyPrograms(strategy, features);
    const tc = programs.includes("acceptq_tc_ingress");
    // tc sees one namespace's interfaces; its kfree_skb hook sees all: limit both to it.
    const ns = tc
      ? (config.netns ?? res.add("network namespace", NetnsHandle.current(), (n) => n.close()))
      : config.netns;
    const netnsIno = ns?.inode ?? 0;

    const path = config.objectPath ?? packagedBpfObject(TRACER_OBJECT);
    const obj = res.add("BPF object", BpfObject.open(path), (o) => o.close());
    for (const name of obj.programNames()) obj.setAutoload(name, programs.includes(name));
    setRodata(obj, rodata(config, features, netnsIno));
    if (config.ringBufferBytes) {
      const err = libbpf().bpf_map__set_max_entries(
        obj.map("acceptq_events"),
        config.ringBufferBytes,
      );
      if (err) throw libbpfError("sizing the ring buffer", err);
    }
    // Unused peak maps are made as small as they can be: per-CPU values cost memory per CPU.
    if (!config.peaks) {
      for (const name of PEAK_GENERATIONS) {
        const err = libbpf().bpf_map__set_max_entries(obj.map(name), 1);
        if (err) throw libbpfError("sizing the peak maps", err);
      }
    }
    obj.load();
    const totalsFd = obj.mapFd("acceptq_totals");
    const listenersFd = obj.mapFd("acceptq_listeners");
    const remotesFd = obj.mapFd("acceptq_remotes");
    const peaks = config.peaks
      ? new PeakGenerations(
          obj.mapFd("acceptq_peaks"),
          [obj.mapFd(PEAK_GENERATIONS[0]), obj.mapFd(PEAK_GENERATIONS[1])],
          possibleCpus(),
        )
      : null;
    const ring = res.add(
      "ring buffer consumer",
      new RingBuffer(obj.mapFd("acceptq_events"), onRecord),
      (r) => r.close(),
    );
    const tcAttachments: TcAttachment[] = [];
    const cgroup = programs.includes("acceptq_cgroup_ingress")
      ? (config.cgroup ?? features.cgroup2Root)
      : null;
    for (const name of programs) {
      if (name === "acceptq_tc_ingress" && ns) {
        const progFd = obj.programFd(name);
        const tcHook = tcHookFor(config.tcHook, features);
        for (const iface of chooseInterfaces(listInterfaces(ns), config.interfaces)) {
          const a = ns.run(() => tcAttach(progFd, iface, tcHook));
          tcAttachments.push(a);
          links.add(describeTcAttachment(a), a, (x) => ns.run(() => tcDetach(x)));
        }
      } else if (name === "acceptq_cgroup_ingress" && cgroup !== null) {
        const fd = res.add(`cgroup ${cgroup}`, openCgroup(cgroup), (x) => closeSync(x));
        links.add(`link ${name} on cgroup ${cgroup}`, obj.attach(name, fd), (l) => l.destroy());
      } else {
        links.add(`link ${name}`, obj.attach(name), (l) => l.destroy());
      }
    }
    return {
      strategy,
      programs,
      tcAttachments,
      cgroup,
      netnsIno: netnsIno || null,
      totalsFd,
      listenersFd,
      remotesFd,
      peaks,
      consume: () => ring.consume(),
      detach: () => links.close(),
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

/** Opens a cgroup directory for attaching (an fd on the directory itself). */
function openCgroup(path: string): number {
  try {
    return openSync(path, "r");
  } catch (err) {
    throw new SynqError(
      "systemRead",
      `cannot open the cgroup ${path} (${(err as NodeJS.ErrnoException).code})`,
    );
  }
}

/** A one-line reason from a failed attempt. */
function reasonOf(err: unknown): string {
  if (err instanceof LibbpfError) return err.message;
  if (err instanceof SynqError) return err.message;
  return (err as Error).message;
}

/**
 * Loads and attaches the requested strategy, or with "auto" the best one that works.
 * A forced strategy that cannot work is a SynqError (kernelUnsupported) naming why.
 */
export function openTracer(
  requested: Strategy | "auto",
  features: KernelFeatures,
  config: TracerConfig,
  onRecord: (record: DataView) => void,
): Tracer {
  const attempts: StrategyAttempt[] = [];
  const order = requested === "auto" ? STRATEGIES : [requested];
  for (const strategy of order) {
    const pre = strategyPrecheck(strategy, features, config);
    if (pre !== null) {
      attempts.push({ strategy, used: false, detail: pre });
      continue;
    }
    try {
      const tracer = openStrategy(strategy, features, config, onRecord);
      attempts.push({
        strategy,
        used: true,
        detail: describeStrategy(strategy, features, config),
      });
      return { ...tracer, attempts };
    } catch (err) {
      // Input errors (a missing interface) and refusals outside libbpf (entering the
      // namespace) are not the strategy's fault: report them as they are.
      if (err instanceof SynqError && err.kind === "badInput") throw err;
      if (err instanceof SynqError && !(err instanceof LibbpfError) && err.kind === "permission")
        throw err;
      attempts.push({ strategy, used: false, detail: reasonOf(err) });
    }
  }
  const why = attempts.map((a) => `${a.strategy}: ${a.detail}`).join("; ");
  if (requested !== "auto") {
    throw new SynqError(
      "kernelUnsupported",
      `--strategy ${requested} is not available on kernel ${features.release}: ${attempts[0]?.detail ?? "unknown"}`,
      "use --strategy auto to pick one that works here",
    );
  }
  throw new SynqError(
    "kernelUnsupported",
    `no tracing strategy works on kernel ${features.release} (${why})`,
    "rerun with SYNQ_DEBUG=1 to see libbpf's log",
  );
}

/**
 * The tracer behind `synq export --trace`: one trace session (session.ts, as trace-drops runs
 * it), drained every second so its ring buffer never fills (the records themselves are not
 * exported), its peaks read and reset into a PeakWindow at the same tick. Each collection
 * reads the exact counter maps and the window's maximum (which no scrape resets), keeps the
 * listeners of the namespaces the export selects, and names them as status does.
 */

import { netnsInode } from "../system/netns.js";
import { selectNetns } from "../system/netns-select.js";
import type { PeakEntry } from "../trace/bpf-maps.js";
import { listenerId, TOTAL_SLOTS } from "../trace/event-layout.js";
import { PeakWindow } from "../trace/peak-window.js";
import type { TraceRequest } from "../trace/request.js";
import type { ReleaseFailure } from "../trace/resources.js";
import type { SessionDeps, TraceSession } from "../trace/session.js";
import { closedListenerKeys } from "./closed-listeners.js";
import type { FamilyProducer } from "./collection.js";
import { type NamedListener, type TraceReading, traceFamilies } from "./trace-families.js";

/** How often the ring buffer is drained and the peaks read. */
export const TICK_MS = 1000;

/** Which namespaces the export reads (its --netns / --all-netns). */
export interface NamespaceSelection {
  netns?: readonly string[] | undefined;
  allNetns?: boolean | undefined;
  procRoot?: string | undefined;
}

/** Label by inode of each namespace the export selects now, as status labels it. */
async function selectedNamespaces(sel: NamespaceSelection): Promise<Map<number, string>> {
  const { targets } = await selectNetns(sel.netns ?? [], {
    all: sel.allNetns,
    vanishedOk: true,
    procRoot: sel.procRoot,
  });
  const out = new Map<number, string>();
  for (const t of targets) {
    const ino = await netnsInode(t.path ?? `${sel.procRoot ?? "/proc"}/self/ns/net`);
    if (ino !== null && !out.has(ino)) out.set(ino, t.name);
  }
  return out;
}

/** The hook synq_trace_info names: tcx or clsact for tc, the cgroup for cgroup. */
function hookOf(session: TraceSession): string {
  return session.start.tcHook ?? session.start.cgroup ?? "";
}

export class ExportTrace {
  private readonly window: PeakWindow<PeakEntry>;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly session: TraceSession,
    peakWindowMs: number,
    private readonly selection: NamespaceSelection,
    private readonly nowMs: () => number,
  ) {
    this.window = new PeakWindow(peakWindowMs);
  }

  /** Opens the session and starts ticking; the caller must close() it, once, whatever happens. */
  static async open(
    req: TraceRequest,
    peakWindowSeconds: number,
    selection: NamespaceSelection,
    deps?: SessionDeps,
  ): Promise<ExportTrace> {
    // Loaded only with --trace: libbpf and koffi cost the plain export nothing.
    const { TraceSession, liveDeps } = await import("../trace/session.js");
    const used = deps ?? liveDeps();
    // One namespace given is filtered in the kernel (and is where tc attaches), as watch does;
    // with several, the tracer sees every namespace and each collection keeps the selected.
    const { targets } = await selectNetns(selection.netns ?? [], { all: selection.allNetns });
    const [only] = targets;
    const netns = targets.length === 1 && only?.path ? only.path : null;
    const session = await TraceSession.open({ ...req, netns, peaks: true }, used);
    const trace = new ExportTrace(session, peakWindowSeconds * 1000, selection, used.nowMs);
    trace.schedule();
    return trace;
  }

  /** The strategy the tracer attached with, for the log. */
  get strategy(): string {
    return this.session.start.strategy;
  }

  /** Drains the ring buffer and moves the peaks since the last tick into the window. */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(async () => {
      if (this.stopped) return;
      await this.session.drain();
      if (this.stopped) return;
      const peaks = this.session.readPeaks({ reset: true }) ?? [];
      this.window.add(
        this.nowMs(),
        peaks.map((p) => [listenerId(p.key), p] as const),
      );
    });
    return this.ticking;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch(() => {
          // A failed tick loses only that tick's peaks; the counters stay exact in the maps.
        })
        .finally(() => this.schedule());
    }, TICK_MS);
    this.timer.unref();
  }

  /**
   * A producer for the collection: the tracer's families as they are at each collection. The
   * counters are read before the status (collectExport calls producers first), so that the
   * entries of sockets the status no longer lists can be deleted (closed-listeners.ts); the
   * families still show them this once, with their final counts.
   */
  readonly producer: FamilyProducer = async (status) => {
    const counters = this.session.counters();
    const names = await selectedNamespaces(this.selection);
    const named = <T extends { key: { netnsIno: number } }>(e: T) => {
      const netns = names.get(e.key.netnsIno);
      return netns === undefined ? [] : [{ ...e, netns }];
    };
    const peaks = [...this.window.max(this.nowMs()).values()];
    const reading: TraceReading = {
      drops: counters.listeners.flatMap((c) =>
        named(c).map((n) => ({ ...n, reason: c.key.reason, count: c.count })),
      ),
      lost: this.session.lost(),
      unattributed: counters.totals[TOTAL_SLOTS.listenerMapFull] ?? 0,
      peaks: peaks.flatMap((p) => named(p)) as (NamedListener & { depth: number })[],
      strategy: this.session.start.strategy,
      hook: hookOf(this.session),
    };
    const closed = closedListenerKeys(
      counters.listeners.map((c) => c.key),
      names,
      await status,
    );
    if (closed.length > 0) this.session.forgetListeners(closed);
    return traceFamilies(reading);
  };

  /** Stops ticking and releases everything the tracer created; idempotent. */
  close(): ReleaseFailure[] {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.session.close();
  }
}

/**
 * The dashboard as data. Each tick of the poll loop hands advance() one status sample (the same
 * model `synq status --interval` prints, rates included) and what the tracer delivered since the
 * last tick; keys change the view (applyKey); buildFrame() turns both into the Frame the widgets
 * draw. All of it is pure but for the bounded History it appends to, so every rule (sorting,
 * selection, the Netns column, pause) is tested without a terminal.
 */
import type { Finding, Listener, NamespaceStatus, Severity, Status } from "../model/status.js";
import type { TraceDrop } from "../model/trace.js";
import { owners } from "../render/status-cells.js";
import {
  findingKey,
  groupFindings,
  mergedListeners,
  viewOrder,
  worstByListener,
} from "../status/merged-view.js";
import { History } from "./history.js";

/** The table's orders, in the order `s` cycles through them; "problems" is the merged view's. */
export const SORT_KEYS = [
  "problems",
  "drops/s",
  "accept fill",
  "SYN fill",
  "SYN-RECV",
  "port",
] as const;

/** One of the table's orders. */
export type SortKey = (typeof SORT_KEYS)[number];

/** The SYN-related sysctls the header shows, by the short name it shows them under. */
export const HEADER_SYSCTLS = [
  ["somaxconn", "net.core.somaxconn"],
  ["tcp_max_syn_backlog", "net.ipv4.tcp_max_syn_backlog"],
  ["syncookies", "net.ipv4.tcp_syncookies"],
  ["synack_retries", "net.ipv4.tcp_synack_retries"],
  ["abort_on_overflow", "net.ipv4.tcp_abort_on_overflow"],
  ["timestamps", "net.ipv4.tcp_timestamps"],
] as const;

/** The namespace counters charted as rates, in the order of their series. */
export const CHARTED_COUNTERS = [
  "TcpExt.ListenOverflows",
  "TcpExt.ListenDrops",
  "TcpExt.TCPReqQFullDrop",
  "TcpExt.SyncookiesSent",
  "TcpExt.SyncookiesFailed",
] as const;

/** Listeners whose queues keep a history: the first ones in the table's order, and the selected. */
export const TRACKED_LISTENERS = 256;

/** Drop records the log keeps, newest first. */
export const DROP_LOG_SIZE = 200;

/** How many seconds the charts span. */
export const HISTORY_SECONDS = 300;

/** Whether live drop events arrive, and if not, why. */
export type TracingState =
  | { on: true; strategy: string; hook: string | null }
  | { on: false; reason: string };

/** What stays the same for the whole run. */
export interface WatchContext {
  host: string;
  intervalSeconds: number;
  /** `--all-netns`: the header says "all (N)" rather than naming the namespaces. */
  allNetns: boolean;
  tracing: TracingState;
  /**
   * The tracer sees more namespaces than are watched: the log shows only the drops of the
   * namespaces in the current sample. False: all the tracer delivers.
   */
  filterDrops: boolean;
}

/** What one tick of the poll loop brings. */
export interface TickInput {
  /** The sample, as `synq status --interval` builds it (listeners may be left out: see rows). */
  status: Status;
  /** Its listeners as problemRows() makes them. */
  rows: readonly ListenerRow[];
  /** Drop records the tracer delivered since the last tick, oldest first. */
  drops: readonly TraceDrop[];
  /** Records lost to a full ring buffer so far; null without a tracer. */
  lost: number | null;
  /**
   * The deepest accept queue each listener reached since the last tick, by socket inode, from
   * the tracer; null when it gives none (the peak column shows "-").
   */
  peaks: ReadonlyMap<number, number> | null;
  /** When the sample was taken (ms since the epoch). */
  at: number;
}

/** One line of the drop log. */
export interface DropLogEntry {
  timeUs: number;
  reason: string;
  netns: string;
  listener: string;
  remote: string;
  process: string;
}

/** The data of one moment: the latest tick's, or the one a pause froze. */
export interface WatchData {
  status: Status | null;
  rows: readonly ListenerRow[];
  peaks: ReadonlyMap<number, number> | null;
  dropLog: DropLogEntry[];
  lost: number | null;
  /** Per listener key: accept depth, backlog, peak, SYN-RECV, SYN limit. */
  listenerHistory: History;
  /** Per namespace: CHARTED_COUNTERS per second. */
  namespaceHistory: History;
  ticks: number;
  at: number | null;
}

/** What the keys change. */
export interface ViewState {
  sort: SortKey;
  /** The selected listener's key; null: the first row. */
  selected: string | null;
  paused: boolean;
  help: boolean;
}

/** Everything the dashboard knows. */
export interface WatchState {
  live: WatchData;
  /** The data shown while paused (sampling goes on into `live`). */
  frozen: WatchData | null;
  view: ViewState;
}

/** One row of the listener table. */
export interface ListenerRow {
  key: string;
  netns: string;
  local: string;
  process: string;
  acceptDepth: number;
  backlog: number;
  acceptFill: number;
  synRecv: number;
  /** Shared with SO_REUSEPORT siblings on the same address:port. */
  synShared: boolean;
  synLimit: number;
  synFill: number;
  drops: number | null;
  dropsPerSecond: number | null;
  peakAcceptQueue: number | null;
  /** The worst finding about this listener. */
  severity: Severity | null;
  port: number;
  /** The socket's inode: what the tracer's peaks are keyed by. */
  inode: number | null;
}

/** A chart's line. */
export interface Series {
  title: string;
  values: (number | null)[];
}

/** The whole dashboard at one moment. */
export interface Frame {
  header: {
    host: string;
    kernel: string;
    watching: string;
    sysctls: { name: string; value: string }[];
    tracing: string;
    intervalSeconds: number;
    paused: boolean;
    sampledAt: number | null;
  };
  table: {
    showNetns: boolean;
    sort: SortKey;
    rows: readonly ListenerRow[];
    /** Index into rows; -1 when there are none. */
    selected: number;
    /** Namespaces that went away while being read. */
    skipped: string[];
  };
  charts: {
    /** The selected listener, as the charts' titles name it; null with no listener. */
    listener: string | null;
    queue: Series[];
    syn: Series[];
    /** The namespace whose counters are charted. */
    netns: string | null;
    counters: Series[];
    /** Seconds between points. */
    step: number;
  };
  drops: { entries: DropLogEntry[]; lost: number | null; tracing: boolean; reason: string | null };
  findings: Finding[];
  help: boolean;
}

/** A listener's identity across samples. */
export function listenerKey(l: Pick<Listener, "netns" | "local" | "device" | "inode">): string {
  return `${l.netns}|${l.local}%${l.device ?? ""}|${l.inode ?? ""}`;
}

function emptyData(points: number): WatchData {
  return {
    status: null,
    rows: [],
    peaks: null,
    dropLog: [],
    lost: null,
    listenerHistory: new History(points, 5),
    namespaceHistory: new History(points, CHARTED_COUNTERS.length),
    ticks: 0,
    at: null,
  };
}

/** How many points the charts keep at this interval. */
export function historyPoints(intervalSeconds: number): number {
  return Math.max(2, Math.ceil(HISTORY_SECONDS / intervalSeconds));
}

/** The state before the first tick. */
export function initialState(ctx: Pick<WatchContext, "intervalSeconds">): WatchState {
  return {
    live: emptyData(historyPoints(ctx.intervalSeconds)),
    frozen: null,
    view: { sort: "problems", selected: null, paused: false, help: false },
  };
}

function toRow(l: Listener, worst: Map<string, Severity>): ListenerRow {
  return {
    key: listenerKey(l),
    netns: l.netns,
    local: l.device ? `${l.local}%${l.device}` : l.local,
    process: owners(l),
    acceptDepth: l.acceptQueue.depth,
    backlog: l.acceptQueue.backlog,
    acceptFill: l.acceptQueue.fillPercent,
    synRecv: l.synQueue.depth,
    synShared: l.synQueue.sharedWith > 0,
    synLimit: l.synQueue.limit,
    synFill: l.synQueue.fillPercent,
    drops: l.drops,
    dropsPerSecond: l.dropsPerSecond,
    peakAcceptQueue: null,
    severity: worst.get(findingKey(l.netns, l.local)) ?? null,
    port: l.port,
    inode: l.inode,
  };
}

const byNumberDesc =
  (field: (r: ListenerRow) => number | null) =>
  (a: ListenerRow, b: ListenerRow): number =>
    (field(b) ?? -1) - (field(a) ?? -1);

const SORTS: Record<Exclude<SortKey, "problems">, (a: ListenerRow, b: ListenerRow) => number> = {
  "drops/s": byNumberDesc((r) => r.dropsPerSecond),
  "accept fill": byNumberDesc((r) => r.acceptFill),
  "SYN fill": byNumberDesc((r) => r.synFill),
  "SYN-RECV": byNumberDesc((r) => r.synRecv),
  port: (a, b) => a.port - b.port,
};

/**
 * Every listener of a status as table rows in the merged view's order (src/status/merged-view.ts:
 * worst finding, then drops, then the healthy by namespace and port), without peaks. The
 * sampling thread makes them, beside the sample: the heavy part of a tick at 10,000 listeners.
 */
export function problemRows(status: Status): ListenerRow[] {
  const namespaces = viewOrder(status.namespaces);
  const { problems, healthy } = mergedListeners(namespaces, status.intervalSeconds !== null, 0);
  const worst = worstByListener(namespaces);
  return [...problems, ...healthy].map((l) => toRow(l, worst));
}

/**
 * The rows in `sort` order with the tracer's peaks: "problems" keeps problemRows()'s order; the
 * others sort on one column (largest first, port ascending), ties kept in the problems order.
 */
export function listenerRows(
  data: Pick<WatchData, "rows" | "peaks">,
  sort: SortKey,
): readonly ListenerRow[] {
  // A tick, its frame and the keys pressed until the next tick all ask for the same rows.
  const cached = rowCache.get(data.rows);
  if (cached && cached.sort === sort && cached.peaks === data.peaks) return cached.rows;
  const peaks = data.peaks;
  const rows =
    peaks === null
      ? [...data.rows]
      : data.rows.map((r) => ({
          ...r,
          // The queue was at least as deep as the sample found it: a listener no SYN or
          // ACK reached since the last tick has a peak of its depth now (0 when idle).
          peakAcceptQueue:
            r.inode === null ? null : Math.max(peaks.get(r.inode) ?? 0, r.acceptDepth),
        }));
  if (sort !== "problems") rows.sort(SORTS[sort]);
  rowCache.set(data.rows, { sort, peaks, rows });
  return rows;
}

const rowCache = new WeakMap<
  readonly ListenerRow[],
  { sort: SortKey; peaks: ReadonlyMap<number, number> | null; rows: readonly ListenerRow[] }
>();

function selectedIndex(rows: readonly ListenerRow[], selected: string | null): number {
  if (rows.length === 0) return -1;
  if (selected === null) return 0;
  const i = rows.findIndex((r) => r.key === selected);
  return i < 0 ? 0 : i;
}

function counterRates(ns: NamespaceStatus | undefined): (number | null)[] {
  return CHARTED_COUNTERS.map(
    (name) => ns?.counters.find((c) => c.name === name)?.perSecond ?? null,
  );
}

/** The namespaces a sample covers (those read, then those that went away), by name. */
function sampledNames(status: Status): string[] {
  return [
    ...status.namespaces.map((n) => n.netns),
    ...(status.skippedNamespaces ?? []).map((s) => s.netns),
  ];
}

/** How the header names the namespaces watched. */
export function watchingText(names: readonly string[], all: boolean): string {
  if (all) return `all (${names.length})`;
  const shown = names.map((name) => name || "(current)");
  if (shown.length === 0) return "none";
  if (shown.length === 1) return shown[0] as string;
  return shown.length <= 3
    ? shown.join(", ")
    : `${shown.slice(0, 2).join(", ")} +${shown.length - 2}`;
}

function dropEntry(d: TraceDrop): DropLogEntry {
  const process = d.listener.processes.length
    ? [...new Set(d.listener.processes.map((p) => `${p.command}/${p.pid}`))].join(",")
    : "-";
  const at = (e: { address: string; port: number }) =>
    e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
  return {
    timeUs: d.timeUs,
    reason: d.reason,
    netns: d.netns.name ?? `inode ${d.netns.inode}`,
    listener: at(d.listener),
    remote: at(d.remote),
    process,
  };
}

/**
 * Takes one tick into the live data: the sample, the drop records (newest first, at most
 * DROP_LOG_SIZE), the peaks, and a point of history for the listeners the table shows first
 * and the selected one, and for their namespaces. Sampling goes on while paused.
 */
export function advance(state: WatchState, input: TickInput, ctx: WatchContext): WatchState {
  const live = state.live;
  const rows = listenerRows(input, state.view.sort);
  const sel = selectedIndex(rows, state.view.selected);
  const tracked = new Set<string>();
  const trackedNs = new Set<string>();
  const track = (r: ListenerRow | undefined) => {
    if (!r) return;
    tracked.add(r.key);
    trackedNs.add(r.netns);
  };
  track(rows[sel]);
  for (let i = 0; i < rows.length && tracked.size < TRACKED_LISTENERS; i++) track(rows[i]);
  for (const r of rows) {
    if (!tracked.has(r.key)) continue;
    live.listenerHistory.push(r.key, [
      r.acceptDepth,
      r.backlog,
      r.peakAcceptQueue,
      r.synRecv,
      r.synLimit,
    ]);
  }
  live.listenerHistory.keep(tracked);
  if (trackedNs.size === 0 && input.status.namespaces[0])
    trackedNs.add(input.status.namespaces[0].netns);
  for (const ns of input.status.namespaces) {
    if (trackedNs.has(ns.netns)) live.namespaceHistory.push(ns.netns, counterRates(ns));
  }
  live.namespaceHistory.keep(trackedNs);

  const shown = ctx.filterDrops ? new Set(sampledNames(input.status)) : null;
  const fresh: DropLogEntry[] = [];
  for (let i = input.drops.length - 1; i >= 0 && fresh.length < DROP_LOG_SIZE; i--) {
    const d = input.drops[i] as TraceDrop;
    if (shown !== null && !shown.has(d.netns.name ?? "")) continue;
    fresh.push(dropEntry(d));
  }
  const dropLog = fresh.concat(live.dropLog).slice(0, DROP_LOG_SIZE);
  return {
    ...state,
    live: {
      ...live,
      status: input.status,
      rows: input.rows,
      peaks: input.peaks,
      dropLog,
      lost: input.lost,
      ticks: live.ticks + 1,
      at: input.at,
    },
  };
}

/** A key the dashboard acts on (q and Ctrl-C end the loop and never reach here). */
export type ViewKey = "sort" | "up" | "down" | "pause" | "help";

/**
 * Applies a key. `s` cycles the sort and `↑`/`↓` move the selection, over what is shown (frozen
 * while paused); `p` freezes the display (a copy of the data, while sampling goes on) or
 * thaws it; `?` shows or hides the help.
 */
export function applyKey(state: WatchState, key: ViewKey): WatchState {
  const view = state.view;
  switch (key) {
    case "help":
      return { ...state, view: { ...view, help: !view.help } };
    case "pause":
      if (view.paused) return { ...state, frozen: null, view: { ...view, paused: false } };
      return {
        ...state,
        frozen: {
          ...state.live,
          dropLog: [...state.live.dropLog],
          listenerHistory: state.live.listenerHistory.clone(),
          namespaceHistory: state.live.namespaceHistory.clone(),
        },
        view: { ...view, paused: true },
      };
    case "sort": {
      const next = SORT_KEYS[(SORT_KEYS.indexOf(view.sort) + 1) % SORT_KEYS.length] as SortKey;
      return { ...state, view: { ...view, sort: next } };
    }
    case "up":
    case "down": {
      const data = state.frozen ?? state.live;
      const rows = listenerRows(data, view.sort);
      if (rows.length === 0) return state;
      const i = selectedIndex(rows, view.selected);
      const j = Math.min(rows.length - 1, Math.max(0, i + (key === "up" ? -1 : 1)));
      return { ...state, view: { ...view, selected: (rows[j] as ListenerRow).key } };
    }
  }
}

function sysctlLine(status: Status | null): { name: string; value: string }[] {
  const namespaces = status ? viewOrder(status.namespaces) : [];
  return HEADER_SYSCTLS.map(([name, key]) => {
    const values = new Map<string, number>();
    for (const ns of namespaces) {
      const v = ns.sysctls.find((s) => s.key === key)?.value;
      const text = v === null || v === undefined ? "-" : String(v);
      values.set(text, (values.get(text) ?? 0) + 1);
    }
    if (values.size === 0) return { name, value: "-" };
    // Namespaces that differ: the most common value, marked.
    const common = [...values].sort((a, b) => b[1] - a[1])[0] as [string, number];
    return { name, value: values.size > 1 ? `${common[0]}*` : common[0] };
  });
}

function tracingText(t: TracingState): string {
  if (!t.on) return `no live events: ${t.reason}`;
  return `tracing: ${t.strategy}${t.hook ? ` (${t.hook})` : ""}`;
}

/** The Frame the widgets draw now. */
export function buildFrame(state: WatchState, ctx: WatchContext): Frame {
  const data = state.frozen ?? state.live;
  const status = data.status;
  const rows = listenerRows(data, state.view.sort);
  const sel = selectedIndex(rows, state.view.selected);
  const row = rows[sel];
  const namespaces = status?.namespaces ?? [];
  const chartNs = row?.netns ?? namespaces[0]?.netns ?? null;
  const [depth = [], backlog = [], peak = [], synRecv = [], synLimit = []] = row
    ? data.listenerHistory.read(row.key)
    : [];
  const counters = chartNs !== null ? data.namespaceHistory.read(chartNs) : [];
  const findings = status
    ? groupFindings(viewOrder(status.namespaces)).flatMap((g) => g.findings)
    : [];
  return {
    header: {
      host: ctx.host,
      kernel: status?.kernel.release ?? "",
      watching: status ? watchingText(sampledNames(status), ctx.allNetns) : "",
      sysctls: sysctlLine(status),
      tracing: tracingText(ctx.tracing),
      intervalSeconds: ctx.intervalSeconds,
      paused: state.view.paused,
      sampledAt: data.at,
    },
    table: {
      showNetns: namespaces.length + (status?.skippedNamespaces?.length ?? 0) > 1,
      sort: state.view.sort,
      rows,
      selected: sel,
      skipped: (status?.skippedNamespaces ?? []).map((s) => s.netns),
    },
    charts: {
      listener: row
        ? namespaces.length > 1
          ? `${row.netns || "(current)"} ${row.local}`
          : row.local
        : null,
      queue: [
        { title: "accept queue", values: depth },
        { title: "backlog", values: backlog },
        { title: "peak", values: peak },
      ],
      syn: [
        { title: "SYN-RECV", values: synRecv },
        { title: "SYN limit", values: synLimit },
      ],
      netns: chartNs,
      counters: CHARTED_COUNTERS.map((name, i) => ({
        title: `${name.slice("TcpExt.".length)}/s`,
        values: counters[i] ?? [],
      })),
      step: ctx.intervalSeconds,
    },
    drops: {
      entries: data.dropLog,
      lost: data.lost,
      tracing: ctx.tracing.on,
      reason: ctx.tracing.on ? null : ctx.tracing.reason,
    },
    findings,
    help: state.view.help,
  };
}

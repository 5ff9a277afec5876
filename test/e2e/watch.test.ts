/**
 * synq watch in a real terminal (tmux, 80×24 unless said otherwise), driven with keys as a
 * person would: never-accepting IPv4 and dual-stack listeners flooded in a namespace of the
 * test's own, beside healthy ones, show the depths `ss` reports, the tracer's drop log fills
 * with the flood's clients, findings appear; keys sort (the rows reorder), select, pause (the
 * numbers stay while the kernel's move on) and show help; a resize re-lays out; NO_COLOR and
 * TERM=screen/linux render. After q, Ctrl-C, SIGTERM, SIGHUP and an uncaught exception the
 * terminal is restored and no BPF program, map, link, qdisc or filter is left. A burst into a
 * stalled listener, over before the next tick, shows there as Peak beside an empty queue.
 * Without a terminal, or without root, it says so (one line), or samples alone.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bpfHeldBy,
  type HeldBpf,
  ingressFilters,
  qdiscKinds,
  waitUntilReleased,
} from "../helpers/bpf-state.js";
import {
  createNetns,
  deleteNetns,
  inNetns,
  type RunningScenario,
  startScenario,
} from "../helpers/netns.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { SYNQ_BIN } from "../helpers/run-synq.js";
import { childrenOf, startInTmux, type TmuxPane } from "../helpers/tmux.js";

const tools = ["tmux", "ip", "ss", "tc", "bpftool", "setpriv", "pgrep"];
const skip = missing(isRoot && tools.every(hasTool), `root with ${tools.join(", ")}`);

const PORT = 8080;
/** Preloaded with NODE_OPTIONS: throws from a timer once its trigger file exists. */
const THROW_PRELOAD = fileURLToPath(new URL("../helpers/throw-when-file.cjs", import.meta.url));
/** The escape that starts an SGR sequence (capture-pane -e keeps them). */
const ESC = String.fromCharCode(27);
let namespaces: string[] = [];
let scenarios: RunningScenario[] = [];
let panes: TmuxPane[] = [];

beforeEach(() => {
  namespaces = [];
  scenarios = [];
  panes = [];
});
afterEach(async () => {
  for (const p of panes) p.kill();
  for (const s of scenarios) await s.stop();
  for (const ns of namespaces) deleteNetns(ns);
});

function netns(): string {
  const ns = createNetns("synq-watch");
  namespaces.push(ns);
  return ns;
}

/** A backlog-4 listener that never accepts. */
async function listen(ns: string): Promise<void> {
  scenarios.push(
    await startScenario(ns, {
      listeners: [{ address: "127.0.0.1", port: PORT, backlog: 4 }],
      settleMs: 0,
    }),
  );
}

/** 20 clients to it: its queue full, SYNs dropped (and dropped again as they retry). */
async function connectMany(ns: string): Promise<void> {
  scenarios.push(
    await startScenario(ns, {
      connect: [{ host: "127.0.0.1", port: PORT, count: 20 }],
      settleMs: 100,
    }),
  );
}

/** The listener, flooded. */
async function flood(ns: string): Promise<void> {
  await listen(ns);
  await connectMany(ns);
}

function watch(args: string[], opts: Parameters<typeof startInTmux>[1] = {}): TmuxPane {
  const pane = startInTmux([process.execPath, SYNQ_BIN, "watch", ...args], {
    ...opts,
    env: { TERM: "xterm-256color", ...opts.env },
  });
  panes.push(pane);
  return pane;
}

/** synq's own pid (the pane runs sh, which runs env, which execs node). */
async function synqPid(pane: TmuxPane): Promise<number> {
  const sh = Number(pane.format("#{pane_pid}"));
  for (let i = 0; i < 50; i++) {
    const [pid] = childrenOf(sh);
    if (pid !== undefined) return pid;
    await sleep(100);
  }
  throw new Error("synq did not start");
}

/** Accept queue depth and backlog of a listener as `ss -Hltn` shows them (Recv-Q/Send-Q). */
function ssQueueOn(ns: string, port: number): string {
  const line = inNetns(ns, "ss", ["-Hltn", `sport = :${port}`]).trim();
  const [, recvQ, sendQ] = line.split(/\s+/);
  return `${recvQ}/${sendQ}`;
}

const ssQueue = (ns: string) => ssQueueOn(ns, PORT);

/** A listener's row as drawn (found by its port), its numbers; null if absent. */
function rowOf(
  screen: string,
  port: number,
): {
  depth: number;
  backlog: number;
  synRecv: number;
  dropsPerSecond: number;
  peak: string;
} | null {
  const line = screen
    .split("\n")
    .find((l) => new RegExp(`:${port} `).test(l) && /\d+\/\d+/.test(l));
  if (line === undefined) return null;
  const cells = line.split(/\s+/);
  const at = cells.findIndex((c) => /^\d+\/\d+$/.test(c));
  const [depth, backlog] = (cells[at] as string).split("/").map(Number);
  // Accept q, Fill, SYN-RECV (a `*` when shared), SYN lim, Fill, Drops, Drops/s, Peak.
  const synRecv = Number.parseInt(cells[at + 2] as string, 10);
  const rate = Number.parseFloat((cells[at + 6] ?? "").replace(/\/s$/, ""));
  const peak = cells[at + 7] ?? "";
  return {
    depth: depth as number,
    backlog: backlog as number,
    synRecv,
    dropsPerSecond: rate,
    peak,
  };
}

/** The Accept q depth/backlog and the Peak of a listener's row, as drawn; null if absent. */
function queueAndPeak(
  screen: string,
  port: number,
): { depth: number; backlog: number; peak: string } | null {
  const row = rowOf(screen, port);
  return row && { depth: row.depth, backlog: row.backlog, peak: row.peak };
}

/** The table's listener ports, top to bottom. */
function portsInOrder(screen: string): number[] {
  const table = screen.slice(screen.indexOf("Listeners"), screen.indexOf("accept queue"));
  return [...table.matchAll(/:(\d+) +\S+ +\d+\/\d+/g)].map((m) => Number(m[1]));
}

/** The remote addresses of the drop log's lines on screen. */
function dropRemotes(screen: string): string[] {
  return [...screen.matchAll(/accept-queue-full(?:-ack)? \S+ from (\[[^\]]+\]|[\d.]+):\d+/g)].map(
    (m) => (m[1] as string).replace(/^\[|\]$/g, "").replace(/^::ffff:/, ""),
  );
}

/** Entries in SYN-RECV for a port, as `ss` counts them. */
function synRecvOn(ns: string, port: number): number {
  return inNetns(ns, "ss", ["-Htn", "state", "syn-recv", `sport = :${port}`])
    .split("\n")
    .filter((l) => l.trim() !== "").length;
}

const listenerRow = (screen: string) =>
  screen.split("\n").find((l) => l.includes(`127.0.0.1:${PORT}`) && /\d+\/\d+/.test(l)) ?? "";

/** The terminal left as it was: main screen back, cursor shown, the exit code printed. */
async function expectRestored(pane: TmuxPane, code = 0): Promise<void> {
  await pane.waitFor((s) => /synq-exit=\d+/.test(s), "synq to exit");
  expect(pane.exitCode(), pane.screen()).toBe(code);
  expect(pane.format("#{alternate_on}")).toBe("0");
  expect(pane.format("#{cursor_flag}")).toBe("1");
  expect(pane.screen()).not.toMatch(/Listeners|Drop log/);
}

async function expectReleased(held: HeldBpf): Promise<void> {
  expect(held.progs.length, "synq held no BPF program while tracing").toBeGreaterThan(0);
  expect(await waitUntilReleased(held)).toEqual([]);
}

describe.skipIf(skip)("synq watch in a terminal", () => {
  it("shows the flooded listener with ss's depth, live drops and findings; keys work; q restores everything", async () => {
    const ns = netns();
    await listen(ns);
    const pane = watch(["--netns", ns, "--port", String(PORT)]);
    await pane.waitFor(
      (s) => /tracing: /.test(s) && listenerRow(s) !== "",
      "the tracer and the listener",
    );
    // The flood starts once the tracer is attached: its drops are live events.
    await connectMany(ns);
    let screen = await pane.waitFor(
      (s) => /accept-queue-full/.test(s) && /[1-9][0-9.]*\/s/.test(listenerRow(s)),
      "a drop in the log and a drop rate",
    );
    const held = bpfHeldBy(await synqPid(pane));
    expect(listenerRow(screen)).toContain(ssQueue(ns));
    expect(listenerRow(screen)).toMatch(/100%/);
    expect(screen).toMatch(/tracing: (cgroup|tc|fentry|kprobe)/);
    expect(screen).toMatch(new RegExp(`netns ${ns}`));
    // Findings: the same engine as status --interval.
    expect(screen).toMatch(/Findings \([1-9]/);
    expect(screen).toMatch(/CRIT 127\.0\.0\.1:8080: (accept queue|dropping)/);
    // No Netns column with one namespace.
    expect(screen).not.toMatch(/Netns +Local/);

    pane.keys("s");
    screen = await pane.waitFor((s) => s.includes("sort: drops/s"), "the next sort");
    pane.keys("s", "s");
    await pane.waitFor((s) => s.includes("sort: SYN fill"), "two sorts more");
    pane.keys("Down", "Up");
    await pane.waitFor((s) => s.includes("Listeners 1/1"), "the selection");

    pane.keys("?");
    await pane.waitFor((s) => s.includes("Help (? to close)") && s.includes("pause"), "the help");
    pane.keys("?");
    await pane.waitFor((s) => !s.includes("Help (? to close)"), "the help to close");

    pane.keys("p");
    const frozen = await pane.waitFor((s) => s.includes("PAUSED"), "the pause");
    const clock = /\d\d:\d\d:\d\d\.\d{3}/.exec(frozen)?.[0];
    await sleep(2500);
    // Display frozen: the newest drop shown is still the same one.
    expect(/\d\d:\d\d:\d\d\.\d{3}/.exec(pane.screen())?.[0]).toBe(clock);
    pane.keys("p");
    await pane.waitFor((s) => !s.includes("PAUSED") && s.includes("every 1 s"), "the resume");

    pane.keys("q");
    await expectRestored(pane);
    await expectReleased(held);
  });

  it("never-accepting IPv4 and dual-stack listeners beside healthy ones: ss's queues, the flood's clients in the drop log, s reorders, p freezes while the kernel moves on", async () => {
    const ns = netns();
    const [v4, dual, healthy, loaded] = [8080, 9090, 7070, 6060];
    scenarios.push(
      await startScenario(ns, {
        listeners: [
          { address: "127.0.0.1", port: v4, backlog: 4 },
          { address: "::", port: dual, backlog: 4, v6only: false },
          { address: "127.0.0.1", port: healthy, backlog: 128 },
          { address: "127.0.0.1", port: loaded, backlog: 128 },
        ],
        // SYNs that stay in SYN-RECV, a few every half second: numbers that keep moving.
        synStream: { src: "192.0.2.50", dst: "127.0.0.1", dport: loaded, count: 2, everyMs: 500 },
        settleMs: 0,
      }),
    );
    const pane = watch(["--netns", ns], { width: 160, height: 40 });
    await pane.waitFor((s) => /tracing: /.test(s) && rowOf(s, healthy) !== null, "the tracer");
    const clients = ["127.0.0.3", "127.0.0.4", "::1"];
    scenarios.push(
      await startScenario(ns, {
        connect: [
          { host: "127.0.0.1", port: v4, count: 10, localAddress: "127.0.0.3" },
          { host: "127.0.0.1", port: dual, count: 5, localAddress: "127.0.0.4" },
          { host: "::1", port: dual, count: 5 },
        ],
        settleMs: 100,
      }),
    );
    const flooded = (s: string) =>
      [v4, dual].every((port) => (rowOf(s, port)?.dropsPerSecond ?? 0) > 0) &&
      dropRemotes(s).length > 0;
    const screen = await pane.waitFor(flooded, "drops per second on both, drops in the log");
    for (const port of [v4, dual, healthy]) {
      const row = rowOf(screen, port);
      expect(row && `${row.depth}/${row.backlog}`, String(port)).toBe(ssQueueOn(ns, port));
    }
    expect(rowOf(screen, v4)).toMatchObject({ depth: 5, backlog: 4 });
    expect(rowOf(screen, dual)).toMatchObject({ depth: 5, backlog: 4 });
    expect(rowOf(screen, healthy)).toMatchObject({ depth: 0, dropsPerSecond: 0 });
    // Every drop shown is one of the flood's clients.
    const remotes = dropRemotes(screen);
    for (const remote of remotes) expect(clients).toContain(remote);

    // Problems first; `s` to the port order reorders the rows.
    expect([v4, dual]).toContain(portsInOrder(screen)[0]);
    pane.keys("s", "s", "s", "s", "s");
    const byPort = await pane.waitFor((s) => s.includes("sort: port"), "the port order");
    expect(portsInOrder(byPort)).toEqual([loaded, healthy, v4, dual]);

    // p: the numbers stay while the kernel's move on underneath; they move again after p.
    pane.keys("p");
    const frozen = await pane.waitFor((s) => s.includes("PAUSED"), "the pause");
    const held = rowOf(frozen, loaded)?.synRecv ?? -1;
    const kernelBefore = synRecvOn(ns, loaded);
    await sleep(2500);
    expect(rowOf(pane.screen(), loaded)?.synRecv).toBe(held);
    const kernelAfter = synRecvOn(ns, loaded);
    expect(kernelAfter).toBeGreaterThan(kernelBefore);
    pane.keys("p");
    const resumed = await pane.waitFor(
      (s) => !s.includes("PAUSED") && (rowOf(s, loaded)?.synRecv ?? 0) >= kernelAfter,
      "the numbers moving again",
    );
    console.info(
      `[figures] watch: drops from ${[...new Set(remotes)].join(", ")}; rows ${portsInOrder(screen).join(",")} then ${portsInOrder(byPort).join(",")}; SYN-RECV held ${held} while ss went ${kernelBefore} -> ${kernelAfter}, then ${rowOf(resumed, loaded)?.synRecv}`,
    );
    pane.keys("q");
    await expectRestored(pane);
  });

  it("adds a Netns column and both namespaces' listeners with two namespaces", async () => {
    const [a, b] = [netns(), netns()];
    await flood(a as string);
    await flood(b as string);
    const pane = watch(["--netns", a as string, "--netns", b as string, "--no-trace"], {
      width: 132,
      height: 30,
    });
    const screen = await pane.waitFor(
      (s) => s.includes(a as string) && s.includes(b as string) && /Netns +Local/.test(s),
      "both namespaces",
    );
    const rows = screen
      .split("\n")
      .filter((l) => l.includes(`127.0.0.1:${PORT}`) && /\d+\/\d+/.test(l));
    expect(rows.some((r) => r.includes(a as string))).toBe(true);
    expect(rows.some((r) => r.includes(b as string))).toBe(true);
    expect(screen).toContain("no live events: --no-trace");
    pane.keys("q");
    await expectRestored(pane);
  });

  it("re-lays out when the terminal is resized", async () => {
    const ns = netns();
    await flood(ns);
    const pane = watch(["--netns", ns, "--no-trace"]);
    await pane.waitFor((s) => listenerRow(s) !== "", "the listener");
    const border = (s: string) => s.split("\n").find((l) => l.includes("Listeners")) ?? "";
    expect(border(pane.screen()).trimEnd()).toHaveLength(80);
    pane.resize(120, 40);
    const wide = await pane.waitFor(
      (s) => border(s).trimEnd().length === 120,
      "a 120-column table",
    );
    expect(wide.replace(/\n$/, "").split("\n")).toHaveLength(40);
    // The bottom panels moved down with the new height.
    const logRow = wide.split("\n").findIndex((l) => l.includes("Drop log"));
    expect(logRow).toBeGreaterThan(24);
    pane.resize(80, 24);
    await pane.waitFor((s) => border(s).trimEnd().length === 80, "an 80-column table again");
    pane.keys("q");
    await expectRestored(pane);
  });

  it("draws no colour with NO_COLOR, and colours without it", async () => {
    const ns = netns();
    await flood(ns);
    const sgrColour = new RegExp(`${ESC}\\[[0-9;]*(3[0-7]|38;5;\\d+|4[0-7]|48;5;\\d+|9[0-7])[;m]`);
    const coloured = watch(["--netns", ns, "--no-trace"]);
    await coloured.waitFor((s) => listenerRow(s) !== "", "the listener");
    expect(coloured.screen(true)).toMatch(sgrColour);
    coloured.keys("q");
    await expectRestored(coloured);
    const plain = watch(["--netns", ns, "--no-trace"], { env: { NO_COLOR: "1" } });
    await plain.waitFor((s) => listenerRow(s) !== "", "the listener");
    await sleep(1200);
    expect(plain.screen(true)).not.toMatch(sgrColour);
    // The selection still shows, in inverse video.
    expect(plain.screen(true)).toMatch(new RegExp(`${ESC}\\[[0-9;]*7[;m]`));
    plain.keys("q");
    await expectRestored(plain);
  });

  for (const term of ["screen", "linux", "xterm-256color"]) {
    it(`renders with TERM=${term}`, async () => {
      const ns = netns();
      await flood(ns);
      const pane = watch(["--netns", ns, "--no-trace"], { env: { TERM: term } });
      const screen = await pane.waitFor(
        (s) => listenerRow(s) !== "" && s.includes("Findings"),
        "the dashboard",
      );
      expect(listenerRow(screen)).toContain(ssQueue(ns));
      expect(screen).toMatch(/somaxconn=\d+/);
      expect(screen).toContain("Drop log");
      pane.keys("C-c");
      await expectRestored(pane);
    });
  }

  for (const how of ["Ctrl-C", "SIGTERM", "SIGHUP"] as const) {
    it(`leaves no program, map, link, qdisc or filter after ${how} (tc via clsact)`, async () => {
      const ns = netns();
      const before = qdiscKinds(ns, "lo");
      await flood(ns);
      const pane = watch(["--netns", ns, "--strategy", "tc", "--tc-hook", "clsact"]);
      await pane.waitFor((s) => s.includes("tracing: tc (clsact on lo)"), "the tracer attached");
      const pid = await synqPid(pane);
      const held = bpfHeldBy(pid);
      expect(qdiscKinds(ns, "lo")).toContain("clsact");
      if (how === "Ctrl-C") pane.keys("C-c");
      if (how === "SIGTERM") process.kill(pid, "SIGTERM");
      if (how === "SIGHUP") pane.kill();
      if (how !== "SIGHUP") await expectRestored(pane);
      else {
        for (let i = 0; i < 100 && existsPid(pid); i++) await sleep(100);
        expect(existsPid(pid)).toBe(false);
      }
      await expectReleased(held);
      expect(qdiscKinds(ns, "lo")).toEqual(before);
      expect(ingressFilters(ns, "lo").filter((f) => /bpf/.test(f))).toEqual([]);
    });
  }

  it("a burst drained before the next tick: that tick shows the queue empty and Peak 39–41; a quiet listener Peak 0", async () => {
    const ns = netns();
    const [burstPort, controlPort] = [8081, 8082];
    const scenario = await startScenario(ns, {
      listeners: [
        { address: "127.0.0.1", port: burstPort, backlog: 64 },
        { address: "127.0.0.1", port: controlPort, backlog: 64 },
      ],
      settleMs: 0,
    });
    scenarios.push(scenario);
    // Ticks 2 s apart: a burst (a few hundred milliseconds, longer on a loaded machine) falls
    // between two of them more often than not.
    const pane = watch(["--netns", ns, "--interval", "2"], { width: 100, height: 30 });
    const quiet = (s: string) => {
      const b = queueAndPeak(s, burstPort);
      return b !== null && b.depth === 0 && b.peak === "0";
    };
    await pane.waitFor((s) => /tracing: /.test(s) && quiet(s), "the tracer and both listeners");
    // A tick can fall inside the burst (it then shows the queue filling, and the drain's
    // tick sees no burst): only a burst that falls between two ticks is judged, and a tick
    // comes every two seconds while the burst takes a few hundred milliseconds.
    let judged: {
      burst: ReturnType<typeof queueAndPeak>;
      control: ReturnType<typeof queueAndPeak>;
    } | null = null;
    for (let attempt = 0; attempt < 10 && judged === null; attempt++) {
      await pane.waitFor(quiet, "the burst listener quiet again");
      const { connected, accepted } = await scenario.burst("127.0.0.1", burstPort, 40, 300);
      expect(connected).toBe(40);
      expect(accepted).toBe(40);
      expect(ssQueueOn(ns, burstPort)).toBe("0/64");
      if (!quiet(pane.screen())) continue; // a tick was drawn during the burst
      const shown = await pane.waitFor((s) => !quiet(s), "the tick after the burst");
      const b = queueAndPeak(shown, burstPort);
      if (b === null || b.depth !== 0) continue; // that tick sampled during the burst
      judged = { burst: b, control: queueAndPeak(shown, controlPort) };
    }
    expect(judged, "a burst between two ticks").not.toBeNull();
    expect(judged?.burst?.depth).toBe(0);
    const peak = Number(judged?.burst?.peak);
    expect(peak).toBeGreaterThanOrEqual(39);
    expect(peak).toBeLessThanOrEqual(41);
    expect(judged?.control).toEqual({ depth: 0, backlog: 64, peak: "0" });
    pane.keys("q");
    await expectRestored(pane);
  });

  it("after an uncaught exception: restores the terminal, removes the tracer, qdisc and filters, says so in one line", async () => {
    const ns = netns();
    const before = qdiscKinds(ns, "lo");
    await listen(ns);
    const dir = mkdtempSync(join(tmpdir(), "synq-watch-throw-"));
    const trigger = join(dir, "throw");
    try {
      const pane = watch(["--netns", ns, "--strategy", "tc", "--tc-hook", "clsact"], {
        env: {
          NODE_OPTIONS: `--require ${THROW_PRELOAD}`,
          SYNQ_TEST_THROW_WHEN: trigger,
        },
      });
      await pane.waitFor(
        (s) => s.includes("tracing: tc (clsact on lo)") && listenerRow(s) !== "",
        "the dashboard, tracing",
      );
      const held = bpfHeldBy(await synqPid(pane));
      expect(qdiscKinds(ns, "lo")).toContain("clsact");
      writeFileSync(trigger, "");
      await pane.waitFor((s) => /synq-exit=\d+/.test(s), "synq to exit");
      const code = pane.exitCode();
      expect(code).not.toBe(0);
      await expectRestored(pane, code as number);
      const screen = pane.screen();
      const lines = screen
        .trimEnd()
        .split("\n")
        .filter((l) => l.startsWith("synq: "));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^synq: unexpected error: thrown from a timer by the test preload; /,
      );
      // One line: no stack trace.
      expect(screen).not.toMatch(/^\s+at /m);
      await expectReleased(held);
      expect(qdiscKinds(ns, "lo")).toEqual(before);
      expect(ingressFilters(ns, "lo").filter((f) => /bpf/.test(f))).toEqual([]);
    } finally {
      if (existsSync(dir)) rmSync(dir, { recursive: true });
    }
  });

  it("after a failed poll (its namespace deleted): restores the terminal, removes the tracer, says why in one line", async () => {
    const ns = netns();
    await listen(ns);
    const pane = watch(["--netns", ns]);
    await pane.waitFor((s) => /tracing: /.test(s) && listenerRow(s) !== "", "the dashboard");
    const held = bpfHeldBy(await synqPid(pane));
    deleteNetns(ns);
    await expectRestored(pane, 3);
    const lines = pane
      .screen()
      .trimEnd()
      .split("\n")
      .filter((l) => l.startsWith("synq: "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^synq: network namespace "${ns}" does not exist`));
    await expectReleased(held);
  });

  it("without root: samples the current namespace and says why there are no live events", async () => {
    const pane = startInTmux(
      [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        SYNQ_BIN,
        "watch",
      ],
      { env: { TERM: "xterm-256color", HOME: "/nonexistent" } },
    );
    panes.push(pane);
    const screen = await pane.waitFor(
      (s) => s.includes("Listeners") && s.includes("no live events"),
      "the dashboard",
    );
    expect(screen).toMatch(/no live events: tracing loads BPF programs, which needs root/);
    expect(screen).toMatch(/somaxconn=\d+/);
    pane.keys("q");
    await expectRestored(pane);
  });
});

function existsPid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

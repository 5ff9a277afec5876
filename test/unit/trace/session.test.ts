/**
 * The trace session and `traceDrops` driven by a fake kernel side made of a real capture: the
 * records reach the sink in order across drains, lost records are reported while it happens,
 * and the kernel side is detached and closed exactly once, whatever ends the run.
 */
import { describe, expect, it } from "vitest";
import { ExitCode, SynqError } from "../../../src/errors.js";
import type { TraceRecord } from "../../../src/model/trace.js";
import { TraceSession } from "../../../src/trace/session.js";
import { traceDrops } from "../../../src/trace/trace-service.js";
import {
  capturedClock,
  capturedKernel,
  capturedLookups,
  capturingOutput,
  type FakeKernelOptions,
  fakeSignals,
  manualTime,
} from "../../helpers/fake-kernel.js";
import { type TraceRaw, traceCaptures } from "../../helpers/trace-replay.js";

const capture = traceCaptures().find((c) => c.meta.scenario === "ack-path");
if (!capture) throw new Error("no ack-path trace capture in fixtures/trace");
const raw: TraceRaw = capture.raw;

/** One run of traceDrops on the capture; `stopAt` ends it from the fake's consume(). */
function run(
  opts: {
    json?: boolean;
    durationSeconds?: number | null;
    fake?: FakeKernelOptions;
    stopAt?: (n: number, ctx: Ctx) => void;
  } = {},
) {
  const signals = fakeSignals();
  const time = manualTime();
  const io = capturingOutput();
  const ctx: Ctx = { signals, time, io };
  const { kernel, log } = capturedKernel(raw, {
    ...opts.fake,
    onConsume: (n) => opts.stopAt?.(n, ctx),
  });
  const deps = { kernel, ...capturedLookups(raw), clock: capturedClock(raw), nowMs: time.nowMs };
  const req = {
    ...raw.request,
    durationSeconds: opts.durationSeconds ?? null,
    json: opts.json ?? true,
    verbose: false,
  };
  const done = traceDrops(req, io, deps, signals);
  return { done, log, io, signals, deps, req };
}

interface Ctx {
  signals: ReturnType<typeof fakeSignals>;
  time: ReturnType<typeof manualTime>;
  io: ReturnType<typeof capturingOutput>;
}

const records = (out: string): TraceRecord[] =>
  out
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as TraceRecord);

describe("a trace session", () => {
  it("hands the records to the sink in arrival order across drains, the summary last", async () => {
    const all = run({ stopAt: (n, c) => n === 1 && c.signals.emit("SIGINT") });
    await all.done;
    const batched = run({
      fake: { batches: [2, 0, 5, 3, 2] },
      stopAt: (n, c) => n === 5 && c.signals.emit("SIGINT"),
    });
    await batched.done;
    const got = records(batched.io.text());
    expect(got.map((r) => r.type)).toEqual(["start", ...raw.records.map(() => "drop"), "summary"]);
    expect(got).toEqual(records(all.io.text()));
    expect(batched.log.consumed).toBeGreaterThanOrEqual(6); // the final drain after detaching
  });

  it("says when records were lost, while it happens and once more at the end", async () => {
    const lostAfter = [0, 4, 4, 9, 9, 9];
    const r = run({
      fake: { batches: [3, 3, 3, 3], lostAfter },
      stopAt: (n, c) => {
        c.time.set(n * 1500); // each drain a second and a half after the last
        if (n === 4) c.signals.emit("SIGINT");
      },
    });
    await r.done;
    const lost = records(r.io.text()).filter((x) => x.type === "lost");
    expect(lost.map((x) => (x.type === "lost" ? x.lost : -1))).toEqual([4, 9]);

    const text = run({
      json: false,
      fake: { batches: [3, 3], lostAfter: [2, 2] },
      stopAt: (n, c) => {
        c.time.set(n * 1500);
        if (n === 2) c.signals.emit("SIGINT");
      },
    });
    await text.done;
    expect(text.io.errText()).toContain(
      "synq: 2 drop records lost so far: the ring buffer was full (counts stay exact; --ring-buffer-kb makes it larger)\n",
    );
  });

  it.each(["SIGINT", "SIGTERM", "SIGHUP"])("on %s: detaches and closes once", async (sig) => {
    const r = run({ stopAt: (n, c) => n === 1 && c.signals.emit(sig) });
    const summary = await r.done;
    expect(summary.type).toBe("summary");
    expect(r.log).toMatchObject({ opened: 1, detached: 1, closed: 1 });
    expect(r.signals.listenerCount(sig)).toBe(0);
  });

  it("after --duration: detaches and closes once", async () => {
    const r = run({
      durationSeconds: 0.25,
      stopAt: (n, c) => c.time.set(n * 100),
    });
    const summary = await r.done;
    expect(summary.durationSeconds).toBe(0.3);
    expect(r.log).toMatchObject({ detached: 1, closed: 1 });
  });

  it("when the reader goes away (EPIPE): ends quietly, closes once", async () => {
    const r = run({
      stopAt: (n, c) =>
        n === 1 && c.io.out.emit("error", Object.assign(new Error("pipe"), { code: "EPIPE" })),
    });
    await r.done;
    expect(r.log).toMatchObject({ detached: 1, closed: 1 });
    expect(r.io.text()).not.toContain('"type":"summary"');
  });

  it("on any other write error: fails with one line (exit 7), closes once", async () => {
    const r = run({
      stopAt: (n, c) =>
        n === 1 && c.io.out.emit("error", Object.assign(new Error("full"), { code: "ENOSPC" })),
    });
    const err = await r.done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SynqError);
    expect((err as SynqError).exitCode).toBe(ExitCode.systemRead);
    expect((err as SynqError).message).toBe("cannot write the output (ENOSPC)");
    expect(r.log).toMatchObject({ detached: 1, closed: 1 });
  });

  it("on an error while draining: passes it on, closes once", async () => {
    const r = run({ stopAt: () => {} });
    const failing = new Error("lookup failed");
    r.deps.owners.resolve = () => Promise.reject(failing);
    await expect(r.done).rejects.toBe(failing);
    expect(r.log.closed).toBe(1);
  });

  it("when the tracer cannot be opened: passes the error on, nothing to close", async () => {
    const refused = new SynqError("permission", "BPF needs root");
    const r = run({ fake: { openError: refused } });
    await expect(r.done).rejects.toBe(refused);
    expect(r.log).toMatchObject({ opened: 0, closed: 0 });
  });

  it("close() is idempotent on the session itself", async () => {
    const { kernel, log } = capturedKernel(raw);
    const session = await TraceSession.open(
      { ...raw.request, durationSeconds: null, json: true, verbose: false },
      { kernel, ...capturedLookups(raw), clock: capturedClock(raw), nowMs: () => 0 },
    );
    expect(session.start.strategy).toBe(raw.start.strategy);
    expect((await session.drain()).length).toBe(raw.records.length);
    session.close();
    session.close();
    expect(log.closed).toBe(1);
  });
});

describe("peaks through a session", () => {
  const peak = {
    key: {
      sockIno: 7,
      family: 2,
      v6only: false,
      address: "127.0.0.1",
      port: 8080,
      netnsIno: raw.start.netnsInode ?? 1,
    },
    depth: 9,
    max: 8,
  };
  const open = (r: TraceRaw) =>
    TraceSession.open(
      { ...r.request, durationSeconds: null, json: true, verbose: false },
      {
        kernel: capturedKernel(r).kernel,
        ...capturedLookups(r),
        clock: capturedClock(r),
        nowMs: () => 0,
      },
    );

  it("hands the kernel side's peaks to readPeaks and to the summary", async () => {
    const session = await open({ ...raw, request: { ...raw.request, peaks: true }, peaks: [peak] });
    expect(session.readPeaks({ reset: true })).toEqual([peak]);
    const summary = await session.summary(0);
    expect(summary.peaks).toEqual([
      expect.objectContaining({
        listener: expect.objectContaining({ address: "127.0.0.1", port: 8080, socketInode: 7 }),
        acceptQueuePeak: 9,
        acceptQueueMax: 8,
      }),
    ]);
    session.close();
  });

  it("has no peaks, and a summary without the field, when the request kept none", async () => {
    const session = await open(raw);
    expect(raw.request.peaks).toBeUndefined();
    expect(session.readPeaks({ reset: false })).toBeNull();
    expect(await session.summary(0)).not.toHaveProperty("peaks");
    session.close();
  });
});

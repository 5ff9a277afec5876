// A worker thread's entry (see sampler.ts): takes a sample each time the dashboard asks.
import { parentPort, workerData } from "node:worker_threads";
import { SynqError } from "../errors.js";
import { inThreadSampler, type SampleReply, type SampleRequest } from "./sampler.js";

const sampler = inThreadSampler(workerData as SampleRequest);

/** Rows per slice: at 10,000 listeners, ten slices of a few milliseconds each to parse. */
const ROWS_PER_SLICE = 1000;

parentPort?.on("message", () => {
  sampler.sample().then(
    ({ status, rows }) => {
      // The listeners travel once, as rows (flat: one object each instead of five), and as
      // JSON text in slices: strings cross as one copy of their bytes, and the main thread
      // parses one slice at a time, never holding its keys for the whole sample.
      const lean = {
        ...status,
        namespaces: status.namespaces.map((n) => ({ ...n, listeners: [] })),
      };
      const slices: string[] = [];
      for (let i = 0; i < rows.length; i += ROWS_PER_SLICE) {
        slices.push(JSON.stringify(rows.slice(i, i + ROWS_PER_SLICE)));
      }
      parentPort?.postMessage({
        ok: true,
        status: JSON.stringify(lean),
        rows: slices,
      } satisfies SampleReply);
    },
    (err: unknown) => {
      const reply: SampleReply =
        err instanceof SynqError
          ? { ok: false, kind: err.kind, message: err.message, fix: err.fix }
          : { ok: false, kind: null, message: err instanceof Error ? err.message : String(err) };
      parentPort?.postMessage(reply);
    },
  );
});

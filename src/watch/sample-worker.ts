// A worker thread's entry (see sampler.ts): takes a sample each time the dashboard asks.
import { parentPort, workerData } from "node:worker_threads";
import { SynqError } from "../errors.js";
import { inThreadSampler, type SampleReply, type SampleRequest } from "./sampler.js";

const sampler = inThreadSampler(workerData as SampleRequest);

parentPort?.on("message", () => {
  sampler.sample().then(
    ({ status, rows }) => {
      // The listeners travel once, as rows (flat: one object each instead of five); as JSON
      // text, which crosses as one copy of its bytes and parses several times faster than a
      // structured clone of the same objects is rebuilt.
      const lean = {
        ...status,
        namespaces: status.namespaces.map((n) => ({ ...n, listeners: [] })),
      };
      parentPort?.postMessage({
        ok: true,
        json: JSON.stringify({ status: lean, rows }),
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

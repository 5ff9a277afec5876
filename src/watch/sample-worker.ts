// A worker thread's entry (see sampler.ts): takes a sample each time the dashboard asks.
import { parentPort, workerData } from "node:worker_threads";
import { SynqError } from "../errors.js";
import { inThreadSampler, type SampleReply, type SampleRequest } from "./sampler.js";

const sampler = inThreadSampler(workerData as SampleRequest);

parentPort?.on("message", () => {
  sampler.sample().then(
    (status) => parentPort?.postMessage({ ok: true, status } satisfies SampleReply),
    (err: unknown) => {
      const reply: SampleReply =
        err instanceof SynqError
          ? { ok: false, kind: err.kind, message: err.message, fix: err.fix }
          : { ok: false, kind: null, message: err instanceof Error ? err.message : String(err) };
      parentPort?.postMessage(reply);
    },
  );
});

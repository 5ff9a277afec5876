/**
 * The built owner-scan worker (dist/owner-scan-worker.js, started by synq status when many
 * files are open): it must load in a worker thread (koffi included) and post the same table a
 * scan on the main thread makes.
 */
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanSocketFds } from "../../src/system/socket-owners.js";

const WORKER = fileURLToPath(new URL("../../dist/owner-scan-worker.js", import.meta.url));

/** This process's rows of a `pid, fd, inode` table. */
function ownRows(table: Float64Array): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < table.length; i += 3) {
    if (table[i] === process.pid) rows.push([...table.subarray(i, i + 3)]);
  }
  return rows;
}

describe("dist/owner-scan-worker.js", () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => server.close());

  it("posts every socket fd of this process, as a scan on this thread finds them", async () => {
    const fromWorker = await new Promise<Float64Array>((resolve, reject) => {
      const worker = new Worker(WORKER);
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`worker exited (${code}) without a table`)));
    });
    expect(fromWorker).toBeInstanceOf(Float64Array);
    const here = ownRows(scanSocketFds());
    expect(here.length).toBeGreaterThan(0); // the listener above, at least
    expect(ownRows(fromWorker)).toEqual(here);
  });
});

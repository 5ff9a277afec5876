// Worker thread: finds the processes that hold given sockets (see services/socket-owners-client.ts).
// A failure ends the worker; the main thread then scans /proc itself.
import { parentPort } from "node:worker_threads";
import type { OwnerRequest, OwnerResponse } from "./services/socket-owners-client.js";
import { findSocketOwners } from "./sources/socket-owners.js";

parentPort?.on("message", (req: OwnerRequest) => {
  const res: OwnerResponse = {
    id: req.id,
    owners: [...findSocketOwners(new Set(req.inodes), req.procRoot)],
  };
  parentPort?.postMessage(res);
});

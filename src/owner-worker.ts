// Worker thread: finds the processes that hold given sockets (see services/socket-owners-client.ts).
import { parentPort } from "node:worker_threads";
import type { OwnerRequest, OwnerResponse } from "./services/socket-owners-client.js";
import { findSocketOwners } from "./sources/socket-owners.js";

parentPort?.on("message", (req: OwnerRequest) => {
  let res: OwnerResponse;
  try {
    res = { id: req.id, owners: [...findSocketOwners(new Set(req.inodes), req.procRoot)] };
  } catch (err) {
    res = { id: req.id, error: (err as Error).message };
  }
  parentPort?.postMessage(res);
});

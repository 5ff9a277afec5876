// A worker thread's entry (see early-start.ts): scans /proc for socket fds and posts the table.
import { parentPort } from "node:worker_threads";
import { scanSocketFds } from "./system/socket-owners.js";

const table = scanSocketFds();
parentPort?.postMessage(table, [table.buffer as ArrayBuffer]);

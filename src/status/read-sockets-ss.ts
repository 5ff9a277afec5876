import { parseSsListeners } from "../parsers/ss-listeners.js";
import { SynRecvCounter } from "../parsers/ss-syn-recv.js";
import type { NetnsTarget } from "../system/netns-target.js";
import { runTool, streamTool } from "../system/run-tool.js";
import type { SocketReading } from "./read-sockets-diag.js";

/** `ss` arguments for listeners: TCP, listening, numeric, memory (drops), processes, details. */
export const SS_LISTENER_ARGS = ["-H", "-l", "-t", "-n", "-m", "-p", "-e"];
/** `ss` arguments for SYN queue entries. */
export const SS_SYN_RECV_ARGS = ["-H", "-t", "-n", "state", "syn-recv"];

/** Lists listeners and counts SYN-RECV entries with `ss`. */
export async function readSocketsWithSs(target: NetnsTarget): Promise<SocketReading> {
  const counter = new SynRecvCounter(`ss ${SS_SYN_RECV_ARGS.join(" ")}`);
  const [listenersText] = await Promise.all([
    runTool(target, "ss", SS_LISTENER_ARGS),
    streamTool(target, "ss", SS_SYN_RECV_ARGS, (chunk) => counter.pushChunk(chunk)),
  ]);
  counter.end();
  const listeners = parseSsListeners(listenersText, `ss ${SS_LISTENER_ARGS.join(" ")}`);
  return { listeners, synRecv: counter.result() };
}

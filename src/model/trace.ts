/**
 * The JSON contract of `synq trace-drops --json`: JSON lines, one record per line, each with
 * `schemaVersion` and a `type`: first `start` (what is traced, how), then one `drop` per
 * reported SYN/ACK (and a `lost` record, at most once a second, while the ring buffer
 * overflows), last `summary` (exact counts from the BPF maps). Consumers should ignore
 * record types they do not know.
 */
import { z } from "zod";
import { TRACE_SCHEMA_VERSION } from "./schema-versions.js";
import { HOOKS, REASONS, STRATEGIES, TC_HOOKS } from "./trace-enums.js";

export { TRACE_SCHEMA_VERSION };

const version = z.literal(TRACE_SCHEMA_VERSION);
const count = z.number().int().min(0);

export const reasonSchema = z
  .enum(REASONS)
  .describe(
    "accept-queue-full: SYN dropped, accept queue full; accept-queue-full-ack: final ACK dropped, " +
      "the request could not become a connection; syn-queue-full: SYN dropped, SYN queue full and " +
      "no cookies; cookie-sent: SYN answered with a SYN cookie (--cookies)",
  );

export const endpointSchema = z.object({
  address: z.string().describe("IPv4 dotted quad or RFC 5952 IPv6"),
  port: z.number().int().min(0).max(65535),
});

export const netnsSchema = z.object({
  inode: z.number().int().describe("network namespace inode (ls -L -i /proc/PID/ns/net)"),
  name: z
    .string()
    .nullable()
    .describe(
      'as synq status names it: "" for the one synq runs in, its /run/netns name, else pid:<n> of the lowest pid holding it; null when none is left',
    ),
});

export const processSchema = z.object({
  pid: z.number().int(),
  command: z.string().describe("/proc/PID/comm"),
});

export const listenerSchema = z.object({
  address: z.string(),
  port: z.number().int(),
  family: z
    .enum(["inet", "inet6", "dual"])
    .describe("as synq status says it: dual = IPv6 socket also accepting IPv4 (IPV6_V6ONLY off)"),
  socketInode: z.number().int().describe("0 when the listener had no socket file"),
  processes: z.array(processSchema).describe("holders of the socket; empty when not found"),
});

export const reasonCountsSchema = z
  .partialRecord(z.enum(REASONS), count)
  .describe("per traced reason; reasons not traced are absent");

export const traceStartSchema = z.object({
  schemaVersion: version,
  type: z.literal("start"),
  strategy: z.enum(STRATEGIES),
  attempts: z.array(
    z.object({ strategy: z.enum(STRATEGIES), used: z.boolean(), detail: z.string() }),
  ),
  reasons: z.array(reasonSchema),
  port: z.number().int().nullable(),
  netns: netnsSchema.nullable().describe("only this namespace, when --netns was given"),
  interfaces: z.array(z.string()).describe("tc: the interfaces the program is attached to"),
  tcHook: z
    .enum(TC_HOOKS)
    .nullable()
    .describe(
      "tc: the ingress hook, a tcx link or a clsact qdisc filter; null for other strategies",
    ),
  cgroup: z
    .string()
    .nullable()
    .describe("cgroup: the cgroup directory the program is attached to (it and below are traced)"),
  kernel: z.string(),
});

export const traceDropSchema = z.object({
  schemaVersion: version,
  type: z.literal("drop"),
  timeUs: z.number().int().describe("wall-clock time, microseconds since the Unix epoch"),
  reason: reasonSchema,
  acceptQueue: count.describe("sk_ack_backlog: connections waiting for accept()"),
  acceptQueueMax: count.describe("sk_max_ack_backlog: the backlog; full when acceptQueue > it"),
  synQueue: count.describe("icsk_accept_queue.qlen: request sockets (SYN-RECV)"),
  listener: listenerSchema,
  destination: endpointSchema.describe("the packet's destination (differs under TPROXY)"),
  remote: endpointSchema.describe("the packet's source"),
  family: z.enum(["inet", "inet6"]).describe("of the packet"),
  netns: netnsSchema,
  syncookies: z.number().int().describe("net.ipv4.tcp_syncookies of that namespace"),
  hook: z.enum(HOOKS).describe("where it was seen"),
});

export const traceLostSchema = z.object({
  schemaVersion: version,
  type: z.literal("lost"),
  timeUs: z.number().int(),
  lost: count.describe("drop records lost so far (ring buffer full); the counts stay exact"),
});

export const traceSummarySchema = z.object({
  schemaVersion: version,
  type: z.literal("summary"),
  strategy: z.enum(STRATEGIES),
  durationSeconds: z.number(),
  totals: reasonCountsSchema,
  listeners: z.array(
    z.object({
      listener: listenerSchema,
      netns: netnsSchema,
      counts: reasonCountsSchema,
      total: count,
    }),
  ),
  remotes: z.array(
    z.object({
      prefix: z.string().describe("the peer's /24 (IPv4) or /64 (IPv6)"),
      family: z.enum(["inet", "inet6"]),
      netns: netnsSchema,
      counts: reasonCountsSchema,
      total: count,
    }),
  ),
  peaks: z
    .array(
      z.object({
        listener: listenerSchema,
        netns: netnsSchema,
        acceptQueuePeak: count.describe(
          "the largest accept-queue depth (sk_ack_backlog) seen on an inspected SYN or final ACK over the run: at most the true maximum, which it can miss by the connections queued after the last packet seen before it (README: what peak means per strategy)",
        ),
        acceptQueueMax: count.describe("sk_max_ack_backlog when that depth was seen"),
      }),
    )
    .optional()
    .describe(
      "each listener seen with a non-empty accept queue, deepest first; absent when peaks were not kept",
    ),
  events: z.object({
    delivered: count.describe("records that reached synq"),
    lost: count.describe("counted, but the ring buffer was full: no record"),
    notPrinted: count.describe("delivered but over --max-events-per-sec"),
  }),
  unattributed: z.object({
    listeners: count.describe("counted in totals, not per listener: the map was full"),
    remotes: count.describe("counted in totals, not per remote prefix: the map was full"),
  }),
});

export const traceRecordSchema = z.discriminatedUnion("type", [
  traceStartSchema,
  traceDropSchema,
  traceLostSchema,
  traceSummarySchema,
]);

export type TraceStart = z.infer<typeof traceStartSchema>;
export type TraceDrop = z.infer<typeof traceDropSchema>;
export type TraceLost = z.infer<typeof traceLostSchema>;
export type TraceSummary = z.infer<typeof traceSummarySchema>;
export type TraceRecord = z.infer<typeof traceRecordSchema>;
export type TraceListener = z.infer<typeof listenerSchema>;
export type TraceNetns = z.infer<typeof netnsSchema>;
export type ReasonCounts = z.infer<typeof reasonCountsSchema>;

import { z } from "zod";

import { STATUS_SCHEMA_VERSION } from "./schema-versions.js";

export { STATUS_SCHEMA_VERSION };

export const severitySchema = z.enum(["critical", "warning", "info"]);

export const ownerSchema = z.object({
  command: z.string(),
  pid: z.number().int(),
  fd: z.number().int(),
});

export const listenerSchema = z.object({
  netns: z.string().describe('network namespace name; "" is the one synq runs in'),
  local: z
    .string()
    .describe("bound address:port as ss prints it: 0.0.0.0:80, [::]:80, *:80 (dual-stack)"),
  address: z.string(),
  port: z.number().int(),
  family: z.enum(["inet", "inet6", "dual"]).describe("dual = IPv6 socket also accepting IPv4"),
  device: z.string().nullable().describe("SO_BINDTODEVICE interface, if any"),
  processes: z.array(ownerSchema).describe("owners from ss -p; empty when not visible"),
  inode: z.number().int().nullable(),
  acceptQueue: z.object({
    depth: z.number().int().describe("connections waiting for accept() (sk_ack_backlog)"),
    backlog: z
      .number()
      .int()
      .describe("limit: min(listen() backlog, somaxconn); full at depth > backlog"),
    fillPercent: z.number(),
  }),
  synQueue: z.object({
    depth: z.number().int().describe("SYN-RECV request sockets attributed to this listener"),
    limit: z
      .number()
      .int()
      .describe("request sockets the kernel keeps before the SYN queue is full"),
    fillPercent: z.number(),
    sharedWith: z
      .number()
      .int()
      .describe("other listeners on the same address:port (SO_REUSEPORT); depth is their total"),
  }),
  drops: z.number().int().nullable().describe("listener sk_drops (ss -m d): SYNs/ACKs it dropped"),
  dropsPerSecond: z.number().nullable().describe("with --interval: rate of drops"),
});

export const sysctlSchema = z.object({
  key: z.string(),
  value: z.number().int().nullable().describe("null when the kernel does not have it"),
  meaning: z.string(),
});

export const counterSchema = z.object({
  name: z.string().describe("Group.Name as in /proc/net/netstat, /proc/net/snmp"),
  value: z.number().nullable().describe("null when the kernel does not have it"),
  perSecond: z.number().nullable().describe("with --interval: rate over the interval"),
  meaning: z.string(),
});

export const findingSchema = z.object({
  severity: severitySchema,
  code: z.string().describe("stable identifier, e.g. accept-queue-overflow"),
  netns: z.string(),
  listener: z.string().nullable(),
  message: z.string(),
  fix: z.string(),
});

export const namespaceStatusSchema = z.object({
  netns: z.string(),
  sysctls: z.array(sysctlSchema),
  listeners: z.array(listenerSchema),
  synRecvUnattributed: z.number().int().describe("SYN-RECV entries matching no listener"),
  counters: z.array(counterSchema),
  findings: z.array(findingSchema),
});

export const skippedNamespaceSchema = z.object({
  netns: z.string(),
  reason: z.string().describe("why it is not in namespaces, e.g. it went away while being read"),
});

export const statusSchema = z.object({
  schemaVersion: z.literal(STATUS_SCHEMA_VERSION),
  generatedAt: z.string(),
  kernel: z.object({ release: z.string(), synQueueRule: z.string() }),
  intervalSeconds: z.number().nullable(),
  namespaces: z.array(namespaceStatusSchema),
  skippedNamespaces: z
    .array(skippedNamespaceSchema)
    .optional()
    .describe(
      "--all-netns, --netns patterns or several --netns: namespaces listed but not read; " +
        "present only when there are some",
    ),
});

export type Severity = z.infer<typeof severitySchema>;
export type Listener = z.infer<typeof listenerSchema>;
export type SysctlValue = z.infer<typeof sysctlSchema>;
export type Counter = z.infer<typeof counterSchema>;
export type Finding = z.infer<typeof findingSchema>;
export type NamespaceStatus = z.infer<typeof namespaceStatusSchema>;
export type SkippedNamespace = z.infer<typeof skippedNamespaceSchema>;
export type Status = z.infer<typeof statusSchema>;

/**
 * The JSON contract of `synq decode-cookie --json` (schemaVersion 1). Every u32 is a JSON
 * number; `hex` fields repeat it as 0x%08x for people. Null means "not asked" or "cannot be
 * known from the inputs", never zero.
 */
import { z } from "zod";

/** Version of this schema; bump on any incompatible change. */
import { COOKIE_SCHEMA_VERSION } from "./schema-versions.js";

export { COOKIE_SCHEMA_VERSION };

const u32 = z.number().int().min(0).max(0xffffffff);
const hex32 = z.string().regex(/^0x[0-9a-f]{8}$/);
const family = z.enum(["ipv4", "ipv6"]);

/** One labelled run of bits, msb..lsb inclusive, for drawings and scripts. */
export const BitFieldSchema = z.object({
  name: z.string(),
  msb: z.number().int().min(0).max(31),
  lsb: z.number().int().min(0).max(31),
  value: z.number().int().min(0),
  meaning: z.string(),
});

/** An address:port as given. */
export const CookieEndpointSchema = z.object({
  address: z.string(),
  port: z.number().int().min(0).max(65535),
});

/** The minute counter (tcp_cookie_time()) used, and where it came from. */
export const CookieTimeSchema = z.object({
  count: u32,
  source: z.enum(["flag", "bpf_jiffies64", "timer_list", "uptime"]),
  exact: z.boolean(),
  jiffies64: z.number().int().nullable(),
  hz: z.number().int().nullable(),
  hzSource: z.string().nullable(),
  secondsIntoMinute: z.number().nullable(),
  detail: z.string(),
});

/** The number read as the classic layout (pure bit slicing). */
export const ClassicLayoutSchema = z.object({
  tMod32: z.number().int().min(0).max(31),
  mssIndex: z.number().int().min(0).max(7),
  hash: z.number().int().min(0).max(0xffffff),
  fields: z.array(BitFieldSchema),
  note: z.string(),
});

/** check_tcp_syn_cookie recomputed with the secret, every intermediate value kept. */
export const LinuxVerificationSchema = z.object({
  family,
  client: CookieEndpointSchema,
  server: CookieEndpointSchema,
  isn: u32,
  hostEndian: z.enum(["little", "big"]),
  count: CookieTimeSchema,
  h0: u32,
  stripped: u32,
  countLow8: z.number().int().min(0).max(255),
  diff: z.number().int().min(0).max(255),
  issuedAtCount: u32.nullable(),
  ageMinutes: z.number().int().min(0).max(255),
  h1: u32.nullable(),
  data: u32,
  mssIndex: z.number().int().min(0).max(3).nullable(),
  mss: z.number().int().nullable(),
  valid: z.boolean(),
  verdict: z.string(),
  fields: z.array(BitFieldSchema),
});

/** The Linux layout: what can and cannot be read, and the verification when possible. */
export const LinuxLayoutSchema = z.object({
  formula: z.string(),
  note: z.string(),
  verification: LinuxVerificationSchema.nullable(),
  /** Flags still needed to verify (empty once verified). */
  needs: z.array(z.string()),
});

/** A sequence-number cookie (SYN-ACK seq, or ACK ack − 1, or one just encoded). */
export const SequenceCookieSchema = z.object({
  cookie: u32,
  hex: hex32,
  source: z.enum(["seq", "ack", "encode"]),
  ack: u32.nullable(),
  encoded: z
    .object({
      mssIndex: z.number().int().min(0).max(3),
      mss: z.number().int(),
      count: CookieTimeSchema,
    })
    .nullable(),
  classic: ClassicLayoutSchema,
  linux: LinuxLayoutSchema,
});

/** The timestamp cookie read from a TSval (or the ACK's TSecr). */
export const TimestampCookieSchema = z.object({
  tsval: u32,
  tsOffset: u32,
  tsOffsetSource: z.enum(["flag", "assumed-zero"]),
  ts: u32,
  options: z.number().int().min(0).max(63),
  wscaleRaw: z.number().int().min(0).max(15),
  /** Window scale 0..14, null when the SYN had none (0xF). */
  wscale: z.number().int().min(0).max(15).nullable(),
  sack: z.boolean(),
  ecn: z.boolean(),
  timeBits: z.number().int().min(0),
  fields: z.array(BitFieldSchema),
  note: z.string(),
});

/** The running kernel's answers (--kernel). */
export const KernelAnswerSchema = z.object({
  family,
  client: CookieEndpointSchema,
  server: CookieEndpointSchema,
  isn: u32,
  kernelRelease: z.string(),
  jiffies64: z.number().int(),
  count: CookieTimeSchema.nullable(),
  generated: z.object({
    synMss: z.number().int().nullable(),
    cookie: u32,
    hex: hex32,
    mss: z.number().int(),
    mssIndex: z.number().int().min(0).max(3),
  }),
  perIndex: z.array(
    z.object({ mssIndex: z.number().int(), mss: z.number().int(), cookie: u32, hex: hex32 }),
  ),
  check: z
    .object({
      cookie: u32,
      hex: hex32,
      ack: u32,
      valid: z.boolean(),
      issuedThisMinute: z.boolean(),
      mssIndex: z.number().int().min(0).max(3).nullable(),
      mss: z.number().int().nullable(),
      verdict: z.string(),
    })
    .nullable(),
});

/** Everything decode-cookie reports. */
export const CookieReportSchema = z.object({
  schemaVersion: z.literal(COOKIE_SCHEMA_VERSION),
  sequence: SequenceCookieSchema.nullable(),
  timestamp: TimestampCookieSchema.nullable(),
  kernel: KernelAnswerSchema.nullable(),
});

/** One labelled bit field. */
export type BitField = z.infer<typeof BitFieldSchema>;
/** The minute counter and its source. */
export type CookieTimeModel = z.infer<typeof CookieTimeSchema>;
/** The Linux verification block. */
export type LinuxVerification = z.infer<typeof LinuxVerificationSchema>;
/** The sequence-cookie block. */
export type SequenceCookie = z.infer<typeof SequenceCookieSchema>;
/** The timestamp-cookie block. */
export type TimestampCookie = z.infer<typeof TimestampCookieSchema>;
/** The --kernel block. */
export type KernelAnswer = z.infer<typeof KernelAnswerSchema>;
/** The whole `decode-cookie --json` payload. */
export type CookieReport = z.infer<typeof CookieReportSchema>;

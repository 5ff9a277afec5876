/**
 * Turns decode-cookie's raw flag strings into a checked request. Every mistake is a
 * one-line SynqError("badInput") that names the flag and says what to give instead.
 */
import { SynqError } from "../errors.js";
import { type CookieTuple, makeCookieTuple, parseCookieEndpoint } from "./endpoint.js";
import { mssIndexFor } from "./mss-table.js";
import { parseU32, parseUnsigned } from "./parse-number.js";
import { type HostEndian, parseSecret, type SyncookieSecret } from "./secret.js";

/** The flags as oclif hands them over (all strings, so errors stay ours and one line). */
export interface RawCookieFlags {
  seq?: string | undefined;
  ack?: string | undefined;
  tsval?: string | undefined;
  tsOffset?: string | undefined;
  client?: string | undefined;
  server?: string | undefined;
  isn?: string | undefined;
  secret?: string | undefined;
  count?: string | undefined;
  encode?: boolean | undefined;
  mssIndex?: string | undefined;
  mss?: string | undefined;
  kernel?: boolean | undefined;
  hostEndian?: string | undefined;
}

/** A validated decode-cookie request. */
export interface CookieRequest {
  /** The sequence cookie to decode, and whether it came from a seq or an ACK's ack − 1. */
  cookie: { value: number; source: "seq" | "ack"; ack: number | null } | null;
  tsval: number | null;
  tsOffset: number | null;
  tuple: CookieTuple | null;
  isn: number | null;
  secret: SyncookieSecret | null;
  count: number | null;
  /** --encode: the MSS index to put in a new cookie. */
  encode: { mssIndex: number } | null;
  /** --mss: the SYN's MSS option (for --kernel and --encode). */
  synMss: number | null;
  kernel: boolean;
  endian: HostEndian;
}

function bad(message: string, fix: string): SynqError {
  return new SynqError("badInput", message, fix);
}

const TUPLE_FIX = "give both, e.g. --client 10.0.0.1:40000 --server 10.0.0.2:80";

/** Validates the flags; see the command's help for what combines with what. */
export function parseCookieRequest(raw: RawCookieFlags): CookieRequest {
  const endianText = raw.hostEndian ?? "little";
  if (endianText !== "little" && endianText !== "big") {
    throw bad(
      `--host-endian ${JSON.stringify(endianText)} is not little or big`,
      "give little (x86, arm64) or big (s390x)",
    );
  }
  const endian: HostEndian = endianText;
  if (raw.seq !== undefined && raw.ack !== undefined) {
    throw bad(
      "both a sequence number and --ack were given",
      "give the SYN-ACK's sequence number, or the final ACK's --ack (cookie = ack − 1), not both",
    );
  }
  let cookie: CookieRequest["cookie"] = null;
  if (raw.seq !== undefined) {
    cookie = { value: parseU32(raw.seq, "sequence number"), source: "seq", ack: null };
  } else if (raw.ack !== undefined) {
    const ack = parseU32(raw.ack, "--ack");
    cookie = { value: (ack - 1) >>> 0, source: "ack", ack };
  }
  const tsval = raw.tsval === undefined ? null : parseU32(raw.tsval, "--tsval");
  const tsOffset = raw.tsOffset === undefined ? null : parseU32(raw.tsOffset, "--ts-offset");
  if (tsOffset !== null && tsval === null) {
    throw bad("--ts-offset was given without --tsval", "add --tsval N (the SYN-ACK's TSval)");
  }

  let tuple: CookieTuple | null = null;
  if (raw.client !== undefined || raw.server !== undefined) {
    if (raw.client === undefined) throw bad("--client is missing (--server was given)", TUPLE_FIX);
    if (raw.server === undefined) throw bad("--server is missing (--client was given)", TUPLE_FIX);
    tuple = makeCookieTuple(
      parseCookieEndpoint(raw.client, "--client"),
      parseCookieEndpoint(raw.server, "--server"),
    );
  }
  const isn = raw.isn === undefined ? null : parseU32(raw.isn, "--isn");
  const secret = raw.secret === undefined ? null : parseSecret(raw.secret, endian);
  const count = raw.count === undefined ? null : parseU32(raw.count, "--count");
  const kernel = raw.kernel === true;
  const encodeMode = raw.encode === true;

  let synMss: number | null = null;
  if (raw.mss !== undefined) {
    synMss = parseUnsigned(raw.mss, "--mss", 65535);
    if (!encodeMode && !kernel) {
      throw bad(
        "--mss is only used with --encode or --kernel",
        "drop --mss, or add --encode/--kernel",
      );
    }
  }
  let mssIndex: number | null = null;
  if (raw.mssIndex !== undefined) {
    mssIndex = parseUnsigned(raw.mssIndex, "--mss-index", 3);
    if (!encodeMode) throw bad("--mss-index is only used with --encode", "add --encode");
  }

  const needsTupleFor = (what: string) => {
    if (!tuple) {
      throw bad(
        `${what} needs the 4-tuple: --client and --server are missing`,
        "add --client CLIENT_IP:PORT --server SERVER_IP:PORT (the SYN's source and destination)",
      );
    }
    if (isn === null) {
      throw bad(
        `${what} needs the client's ISN: --isn is missing`,
        "add --isn N (the SYN's seq, or the final ACK's seq − 1)",
      );
    }
  };

  let encode: CookieRequest["encode"] = null;
  if (encodeMode) {
    if (cookie) {
      throw bad(
        "--encode makes a cookie, so it takes no sequence number or --ack",
        "drop the number, or drop --encode",
      );
    }
    if (kernel)
      throw bad(
        "--encode and --kernel cannot be combined",
        "use --kernel --mss N to have the kernel make one",
      );
    needsTupleFor("--encode");
    if (!secret)
      throw bad("--encode needs --secret", "add --secret with the 64 hex digits of the secret");
    if (mssIndex !== null && synMss !== null) {
      throw bad(
        "both --mss-index and --mss were given",
        "give one: --mss-index 0..3, or --mss N (rounded down to msstab)",
      );
    }
    if (mssIndex === null && synMss === null) {
      throw bad("--encode needs --mss-index 0..3 or --mss N", "add --mss 1460 or --mss-index 3");
    }
    const t = tuple as CookieTuple;
    encode = { mssIndex: mssIndex ?? mssIndexFor(t.family, synMss as number) };
  } else if (kernel) {
    needsTupleFor("--kernel");
  } else if (secret || tuple || isn !== null) {
    needsTupleFor("verifying a Linux cookie");
    if (!secret) {
      throw bad(
        "verifying a Linux cookie needs the kernel's secret: --secret is missing",
        "add --secret (64 hex digits), or --kernel to ask the running kernel",
      );
    }
    if (!cookie)
      throw bad(
        "nothing to verify: no sequence number or --ack",
        "give the SYN-ACK's seq, or --ack N",
      );
  }
  if (count !== null && !secret) {
    throw bad("--count is only used with --secret", "add --secret, or drop --count");
  }
  if (!encodeMode && !kernel && !cookie && tsval === null) {
    throw bad(
      "nothing to decode",
      "give a sequence number (synq decode-cookie 0xa3242733), --ack N or --tsval N",
    );
  }
  return {
    cookie,
    tsval,
    tsOffset,
    tuple,
    isn,
    secret,
    count,
    encode,
    synMss,
    kernel,
    endian,
  };
}

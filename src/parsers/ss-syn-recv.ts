import { type Endpoint, parseEndpoint } from "./address.js";
import { parseError } from "./parse-error.js";

/** SYN-RECV request sockets counted per local endpoint (the address:port the SYN was sent to). */
export interface SynRecvCount {
  local: Endpoint;
  count: number;
}

const NEWLINE = 10;
const SPACE = 32;
const TAB = 9;

/**
 * Counts `ss -Htn state syn-recv` lines by local endpoint, one line at a time, so memory
 * stays flat however many request sockets exist. Lines are `Recv-Q Send-Q Local Peer`.
 * Works on the raw bytes (ss prints ASCII): 100,000 lines are 10 MB that never become strings.
 */
export class SynRecvCounter {
  private readonly counts = new Map<string, { count: number; lineNo: number; line: string }>();
  private lineNo = 0;
  /** The start of a line cut by the end of the previous chunk. */
  private partial: Buffer | null = null;

  constructor(private readonly source = "ss -tn state syn-recv") {}

  /** Adds one output line. */
  push(line: string): void {
    const bytes = Buffer.from(line, "latin1");
    this.scan(bytes, 0, bytes.length);
  }

  /** Adds a chunk of output that may end mid-line (the rest is kept for the next chunk). */
  pushChunk(chunk: string | Buffer): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
    let start = 0;
    let nl = bytes.indexOf(NEWLINE);
    if (this.partial) {
      if (nl < 0) {
        this.partial = Buffer.concat([this.partial, bytes]);
        return;
      }
      const line = Buffer.concat([this.partial, bytes.subarray(0, nl)]);
      this.partial = null;
      this.scan(line, 0, line.length);
      start = nl + 1;
      nl = bytes.indexOf(NEWLINE, start);
    }
    for (; nl >= 0; nl = bytes.indexOf(NEWLINE, start)) {
      this.scan(bytes, start, nl);
      start = nl + 1;
    }
    if (start < bytes.length) this.partial = Buffer.from(bytes.subarray(start));
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    if (this.partial) this.scan(this.partial, 0, this.partial.length);
    this.partial = null;
  }

  private scan(bytes: Buffer, from: number, to: number): void {
    this.lineNo++;
    // Hand-rolled tokenizer: this runs once per request socket, up to millions of times.
    let start = -1;
    let field = 0;
    let localStart = 0;
    let localEnd = 0;
    for (let i = from; i <= to; i++) {
      const c = i < to ? (bytes[i] as number) : SPACE;
      if (c === SPACE || c === TAB) {
        if (start >= 0) {
          if (field === 2) {
            localStart = start;
            localEnd = i;
          }
          field++;
          start = -1;
          if (field > 3) break;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    if (field === 0) return; // blank line
    if (field < 4) {
      const line = latin1(bytes, from, to);
      throw parseError(this.source, this.lineNo, line, "expected Recv-Q, Send-Q, local and peer");
    }
    if (bytes[from] === 82 && latin1(bytes, from, from + 6) === "Recv-Q") return; // ss without -H
    const local = latin1(bytes, localStart, localEnd);
    const entry = this.counts.get(local);
    if (entry) entry.count++;
    else this.counts.set(local, { count: 1, lineNo: this.lineNo, line: latin1(bytes, from, to) });
  }

  /** The totals, with every distinct local endpoint validated. */
  result(): SynRecvCount[] {
    const out: SynRecvCount[] = [];
    for (const [text, { count, lineNo, line }] of this.counts) {
      const local = parseEndpoint(text);
      if (!local) throw parseError(this.source, lineNo, line, `bad local address ${text}`);
      out.push({ local, count });
    }
    return out;
  }
}

function latin1(bytes: Buffer, from: number, to: number): string {
  return bytes.toString("latin1", from, to);
}

/** Convenience for whole-text input (fixtures, tests). */
export function countSynRecv(text: string, source?: string): SynRecvCount[] {
  const counter = new SynRecvCounter(source);
  counter.pushChunk(text);
  counter.end();
  return counter.result();
}

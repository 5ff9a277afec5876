import { type Endpoint, parseEndpoint } from "./address.js";
import { parseError } from "./parse-error.js";

/** SYN-RECV request sockets counted per local endpoint (the address:port the SYN was sent to). */
export interface SynRecvCount {
  local: Endpoint;
  count: number;
}

/**
 * Counts `ss -Htn state syn-recv` lines by local endpoint, one line at a time, so memory
 * stays flat however many request sockets exist. Lines are `Recv-Q Send-Q Local Peer`.
 */
export class SynRecvCounter {
  private readonly counts = new Map<string, { count: number; lineNo: number; line: string }>();
  private lineNo = 0;

  constructor(private readonly source = "ss -tn state syn-recv") {}

  private partial = "";

  /** Adds one output line. */
  push(line: string): void {
    this.scan(line, 0, line.length);
  }

  /**
   * Adds a chunk of output that may end mid-line (the rest is kept for the next chunk).
   * Scans in place and slices out only the local address: no string per line is made.
   */
  pushChunk(chunk: string): void {
    const text = this.partial ? this.partial + chunk : chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      this.scan(text, start, nl);
      start = nl + 1;
    }
    this.partial = text.slice(start);
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    if (this.partial) this.scan(this.partial, 0, this.partial.length);
    this.partial = "";
  }

  private scan(text: string, from: number, to: number): void {
    this.lineNo++;
    // Hand-rolled tokenizer: this runs once per request socket, up to millions of times.
    let start = -1;
    let field = 0;
    let localStart = 0;
    let localEnd = 0;
    for (let i = from; i <= to; i++) {
      const c = i < to ? text.charCodeAt(i) : 32;
      if (c === 32 || c === 9) {
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
      const line = text.slice(from, to);
      throw parseError(this.source, this.lineNo, line, "expected Recv-Q, Send-Q, local and peer");
    }
    if (text.startsWith("Recv-Q", from)) return; // header from an ss without -H
    const local = text.slice(localStart, localEnd);
    const entry = this.counts.get(local);
    if (entry) entry.count++;
    else this.counts.set(local, { count: 1, lineNo: this.lineNo, line: text.slice(from, to) });
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

/** Convenience for whole-text input (fixtures, tests). */
export function countSynRecv(text: string, source?: string): SynRecvCount[] {
  const counter = new SynRecvCounter(source);
  counter.pushChunk(text);
  counter.end();
  return counter.result();
}

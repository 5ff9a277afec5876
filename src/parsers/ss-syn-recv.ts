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

  /** Adds one output line. */
  push(line: string): void {
    this.lineNo++;
    // Hand-rolled tokenizer: this runs once per request socket, up to millions of times.
    let i = 0;
    const n = line.length;
    let start = -1;
    let field = 0;
    let local: string | undefined;
    while (i <= n) {
      const c = i < n ? line.charCodeAt(i) : 32;
      if (c === 32 || c === 9) {
        if (start >= 0) {
          if (field === 2) local = line.slice(start, i);
          field++;
          start = -1;
          if (field > 3) break;
        }
      } else if (start < 0) {
        start = i;
      }
      i++;
    }
    if (field === 0) return; // blank line
    if (local === undefined || field < 4) {
      throw parseError(this.source, this.lineNo, line, "expected Recv-Q, Send-Q, local and peer");
    }
    if (line.startsWith("Recv-Q")) return; // header from an ss without -H
    const entry = this.counts.get(local);
    if (entry) entry.count++;
    else this.counts.set(local, { count: 1, lineNo: this.lineNo, line });
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
  for (const line of text.split("\n")) counter.push(line);
  return counter.result();
}

import { type Endpoint, parseEndpoint } from "./address.js";
import { parseError } from "./parse-error.js";

/** A process holding a listening socket, from `ss -p` `users:((...))`. */
export interface SocketOwner {
  command: string;
  pid: number;
  fd: number;
}

/** One LISTEN socket as `ss -Hltnmpe` reports it. */
export interface SsListener {
  local: Endpoint;
  /** Current accept queue length (sk_ack_backlog). */
  acceptQueue: number;
  /** Accept queue limit (sk_max_ack_backlog = min(listen() backlog, somaxconn)). */
  backlog: number;
  owners: SocketOwner[];
  /** sk_drops from `skmem:(...,d<N>)`; null when this ss does not print it. */
  drops: number | null;
  inode: number | null;
  uid: number | null;
  /** IPV6_V6ONLY of an IPv6 listener; null for IPv4 or when not shown. */
  v6only: boolean | null;
}

/**
 * Parses the owners list inside `users:(...)`: `("cmd",pid=1,fd=3),(…)`. Command names are
 * printed unescaped and may contain quotes, commas or parentheses: anchor on `",pid=`.
 */
export function parseOwners(users: string): SocketOwner[] {
  const owners: SocketOwner[] = [];
  let from = 0;
  for (;;) {
    const open = users.indexOf('("', from);
    if (open < 0) return owners;
    const pidAt = users.indexOf('",pid=', open + 2);
    if (pidAt < 0) return owners;
    const pid = numberAt(users, pidAt + 6);
    const fdAt = users.indexOf(",fd=", pidAt + 6);
    const fd = fdAt < 0 ? null : numberAt(users, fdAt + 4);
    if (pid !== null && fd !== null)
      owners.push({ command: users.slice(open + 2, pidAt), pid, fd });
    from = fdAt < 0 ? pidAt + 6 : fdAt + 4;
  }
}

/** The unsigned integer starting at `i`, or null. */
function numberAt(text: string, i: number): number | null {
  let n = 0;
  const start = i;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i))
    n = n * 10 + (c - 48);
  return i > start ? n : null;
}

/** The unsigned integer right after `key` (e.g. `ino:`) where `key` starts a field, or null. */
function numberAfter(text: string, key: string, from = 0): number | null {
  let at = text.indexOf(key, from);
  while (at > 0 && text.charCodeAt(at - 1) !== 32 && text.charCodeAt(at - 1) !== 9) {
    at = text.indexOf(key, at + 1);
  }
  return at < 0 ? null : numberAt(text, at + key.length);
}

/** `users:((…))` ends at the first `))` followed by whitespace or the end of the line. */
function usersSpan(line: string): [number, number] | null {
  const start = line.indexOf("users:((");
  if (start < 0) return null;
  let end = line.indexOf("))", start);
  while (end >= 0) {
    const next = line.charCodeAt(end + 2);
    if (Number.isNaN(next) || next === 32 || next === 9) return [start, end + 2];
    end = line.indexOf("))", end + 1);
  }
  return null;
}

/** sk_drops: the `d<N>` field of `skmem:(r0,rb…,d<N>)` on a detail line, or null. */
function dropsOf(detail: string): number | null {
  const at = detail.indexOf("skmem:(");
  if (at < 0) return null;
  const close = detail.indexOf(")", at);
  const d = detail.indexOf(",d", at);
  return d < 0 || (close >= 0 && d > close) ? null : numberAt(detail, d + 2);
}

/** The first `count` whitespace-separated tokens of `line[0, end)`. */
function tokens(line: string, end: number, count: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (out.length < count) {
    while (i < end && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= end) break;
    const start = i;
    while (i < end && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
    out.push(line.slice(start, i));
  }
  return out;
}

const NUMBER = /^\d+$/;

function parseSocketLine(line: string, source: string, lineNo: number): SsListener {
  const span = usersSpan(line);
  const head = tokens(line, span ? span[0] : line.length, 5);
  // With -l the State column is printed; tolerate its absence (a `state listening` filter).
  if (head[0] === "LISTEN") head.shift();
  const [recvQ, sendQ, localText] = head;
  if (recvQ === undefined || sendQ === undefined || localText === undefined) {
    throw parseError(source, lineNo, line, "expected Recv-Q, Send-Q and a local address");
  }
  if (!NUMBER.test(recvQ) || !NUMBER.test(sendQ)) {
    throw parseError(source, lineNo, line, "Recv-Q and Send-Q must be numbers");
  }
  const local = parseEndpoint(localText);
  if (!local) throw parseError(source, lineNo, line, `bad local address ${localText}`);
  const tail = span ? span[1] : 0;
  const v6only = numberAfter(line, "v6only:", tail);
  return {
    local,
    acceptQueue: Number(recvQ),
    backlog: Number(sendQ),
    owners: span ? parseOwners(line.slice(span[0] + 7, span[1] - 1)) : [],
    drops: null,
    inode: numberAfter(line, "ino:", tail),
    uid: numberAfter(line, "uid:", tail),
    v6only: v6only === null ? null : v6only === 1,
  };
}

/**
 * Parses `ss -H -l -t -n -m -p -e` output into listeners. A socket's detail lines
 * (skmem, tcp_info) start with whitespace and belong to the socket line above them.
 */
export function parseSsListeners(text: string, source = "ss -ltnmpe"): SsListener[] {
  const listeners: SsListener[] = [];
  let current: SsListener | null = null;
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      if (!current) throw parseError(source, lineNo, line, "detail line without a socket line");
      current.drops ??= dropsOf(line);
      continue;
    }
    if (line.trim() === "") continue;
    if (/^(State|Netid|Recv-Q)\s/.test(line)) continue; // header from an ss without -H
    current = parseSocketLine(line, source, lineNo);
    listeners.push(current);
  }
  return listeners;
}

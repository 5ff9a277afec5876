import { decimalIn, parseEndpointIn } from "./address.js";
import type { ListenerSocket, SocketOwner } from "./listener-socket.js";
import { parseError } from "./parse-error.js";
import { RepeatedText } from "./repeated-text.js";

/** Command names as read: workers of one server share one name across thousands of sockets. */
const commands = new RepeatedText();

/**
 * Parses the owners list `("cmd",pid=1,fd=3),(…)` inside `users:(...)`, which spans
 * `text[from, to)`. Command names are printed unescaped and may contain quotes, commas or
 * parentheses: anchor on `",pid=`.
 */
function parseOwners(text: string, from: number, to: number): SocketOwner[] {
  const owners: SocketOwner[] = [];
  for (;;) {
    const open = text.indexOf('("', from);
    if (open < 0 || open >= to) return owners;
    const pidAt = text.indexOf('",pid=', open + 2);
    if (pidAt < 0 || pidAt >= to) return owners;
    const pid = numberAt(text, pidAt + 6);
    const fdAt = text.indexOf(",fd=", pidAt + 6);
    const fd = fdAt < 0 || fdAt >= to ? null : numberAt(text, fdAt + 4);
    if (pid !== null && fd !== null)
      owners.push({ command: commands.slice(text, open + 2, pidAt), pid, fd });
    from = fd === null ? pidAt + 6 : fdAt + 4;
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
function numberAfter(line: string, key: string, from: number): number | null {
  let at = line.indexOf(key, from);
  while (at > 0 && !isBlank(line.charCodeAt(at - 1))) at = line.indexOf(key, at + 1);
  return at < 0 ? null : numberAt(line, at + key.length);
}

/** `users:((…))` ends at the first `))` followed by whitespace or the end of the line. */
function usersSpan(line: string): [number, number] | null {
  const start = line.indexOf("users:((");
  if (start < 0) return null;
  for (let end = line.indexOf("))", start); end >= 0; end = line.indexOf("))", end + 1)) {
    if (end + 2 === line.length || isBlank(line.charCodeAt(end + 2))) return [start, end + 2];
  }
  return null;
}

/**
 * sk_drops: the `d<N>` field of `skmem:(r0,rb…,d<N>)` on the detail line `text[start, end)`, or
 * null. Usually the line's first field (`\t skmem:(…)`), then read in place: half the lines of
 * `ss -m` output are such lines.
 */
function dropsIn(text: string, start: number, end: number): number | null {
  let at = skipBlanks(text, start, end);
  if (!text.startsWith("skmem:(", at)) {
    const offset = text.slice(start, end).indexOf("skmem:(");
    if (offset < 0) return null;
    at = start + offset;
  }
  const close = text.indexOf(")", at);
  const stop = close < 0 || close >= end ? end : close;
  for (let i = at; i < stop - 1; i++) {
    if (text.charCodeAt(i) === 44 && text.charCodeAt(i + 1) === 100) return numberAt(text, i + 2);
  }
  return null;
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/** The index of the first non-blank character of `line[from, end)`, or `end`. */
function skipBlanks(line: string, from: number, end: number): number {
  while (from < end && isBlank(line.charCodeAt(from))) from++;
  return from;
}

/** The index just past the token starting at `from` in `line[from, end)`. */
function tokenEnd(line: string, from: number, end: number): number {
  while (from < end && !isBlank(line.charCodeAt(from))) from++;
  return from;
}

// Index arithmetic on the line rather than split() and substrings: this runs for each of
// 10,000s of listeners, and every object less per line is garbage not collected.
function parseSocketLine(line: string, source: string, lineNo: number): ListenerSocket {
  const span = usersSpan(line);
  const head = span ? span[0] : line.length;
  let at = skipBlanks(line, 0, head);
  // With -l the State column is printed; tolerate its absence (a `state listening` filter).
  if (line.startsWith("LISTEN", at) && tokenEnd(line, at, head) === at + 6) {
    at = skipBlanks(line, at + 6, head);
  }
  const recvEnd = tokenEnd(line, at, head);
  const sendAt = skipBlanks(line, recvEnd, head);
  const sendEnd = tokenEnd(line, sendAt, head);
  const localAt = skipBlanks(line, sendEnd, head);
  const localEnd = tokenEnd(line, localAt, head);
  if (localAt === localEnd) {
    throw parseError(source, lineNo, line, "expected Recv-Q, Send-Q and a local address");
  }
  const recvQ = decimalIn(line, at, recvEnd);
  const sendQ = decimalIn(line, sendAt, sendEnd);
  if (recvQ < 0 || sendQ < 0) {
    throw parseError(source, lineNo, line, "Recv-Q and Send-Q must be numbers");
  }
  const local = parseEndpointIn(line, localAt, localEnd);
  if (!local) {
    throw parseError(source, lineNo, line, `bad local address ${line.slice(localAt, localEnd)}`);
  }
  const tail = span ? span[1] : 0;
  const v6only = numberAfter(line, "v6only:", tail);
  return {
    local,
    acceptQueue: recvQ,
    backlog: sendQ,
    owners: span ? parseOwners(line, span[0] + 7, span[1] - 1) : [],
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
export function parseSsListeners(text: string, source = "ss -ltnmpe"): ListenerSocket[] {
  const listeners: ListenerSocket[] = [];
  let current: ListenerSocket | null = null;
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const lineStart = start;
    start = end + 1;
    lineNo++;
    if (lineStart === end) continue;
    const first = text.charCodeAt(lineStart);
    if (isBlank(first)) {
      if (!current) {
        const line = text.slice(lineStart, end);
        throw parseError(source, lineNo, line, "detail line without a socket line");
      }
      current.drops ??= dropsIn(text, lineStart, end);
      continue;
    }
    const line = text.slice(lineStart, end);
    // A header from an ss without -H (socket lines start with LISTEN or a number).
    if ((first === 83 || first === 78 || first === 82) && /^(State|Netid|Recv-Q)\s/.test(line)) {
      continue;
    }
    current = parseSocketLine(line, source, lineNo);
    listeners.push(current);
  }
  return listeners;
}

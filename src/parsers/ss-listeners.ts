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

const USERS = /users:\((.*?\))\)(?=\s|$)/;
// Command names are printed unescaped and may contain quotes or commas: anchor on `",pid=`.
const OWNER = /\("(.*?)",pid=(\d+),fd=(\d+)\)/g;
const SKMEM = /skmem:\(([^)]*)\)/;

/** Parses the owners list inside `users:(...)`. */
export function parseOwners(users: string): SocketOwner[] {
  const owners: SocketOwner[] = [];
  for (const m of users.matchAll(OWNER)) {
    owners.push({ command: m[1] as string, pid: Number(m[2]), fd: Number(m[3]) });
  }
  return owners;
}

function drop(skmem: string): number | null {
  for (const field of skmem.split(",")) {
    if (field.startsWith("d") && /^d\d+$/.test(field)) return Number(field.slice(1));
  }
  return null;
}

function intField(rest: string, name: string): number | null {
  const m = new RegExp(`(?:^|\\s)${name}:(\\d+)`).exec(rest);
  return m ? Number(m[1]) : null;
}

function parseRecord(record: string, source: string, lineNo: number): SsListener {
  const firstLine = record.split("\n", 1)[0] as string;
  const usersMatch = USERS.exec(record);
  const withoutUsers = usersMatch ? record.replace(usersMatch[0], " ") : record;
  const tokens = withoutUsers.trim().split(/\s+/);
  // With -l the State column is printed; tolerate its absence (a `state listening` filter).
  if (tokens[0] === "LISTEN") tokens.shift();
  const [recvQ, sendQ, localText] = tokens;
  if (recvQ === undefined || sendQ === undefined || localText === undefined) {
    throw parseError(source, lineNo, firstLine, "expected Recv-Q, Send-Q and a local address");
  }
  if (!/^\d+$/.test(recvQ) || !/^\d+$/.test(sendQ)) {
    throw parseError(source, lineNo, firstLine, "Recv-Q and Send-Q must be numbers");
  }
  const local = parseEndpoint(localText);
  if (!local) throw parseError(source, lineNo, firstLine, `bad local address ${localText}`);
  const skmem = SKMEM.exec(record);
  const v6 = /(?:^|\s)v6only:([01])/.exec(record);
  return {
    local,
    acceptQueue: Number(recvQ),
    backlog: Number(sendQ),
    owners: usersMatch ? parseOwners(usersMatch[1] as string) : [],
    drops: skmem ? drop(skmem[1] as string) : null,
    inode: intField(withoutUsers, "ino"),
    uid: intField(withoutUsers, "uid"),
    v6only: v6 ? v6[1] === "1" : null,
  };
}

/**
 * Parses `ss -H -l -t -n -m -p -e` output into listeners. A socket's detail lines
 * (skmem, tcp_info) start with whitespace and belong to the socket line above them.
 */
export function parseSsListeners(text: string, source = "ss -ltnmpe"): SsListener[] {
  const listeners: SsListener[] = [];
  const lines = text.split("\n");
  let record = "";
  let recordLine = 0;
  const flush = () => {
    if (record) listeners.push(parseRecord(record, source, recordLine));
    record = "";
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (!record) throw parseError(source, i + 1, line, "detail line without a socket line");
      record += `\n${line}`;
      continue;
    }
    if (/^(State|Netid|Recv-Q)\s/.test(line)) continue; // header from an ss without -H
    flush();
    record = line;
    recordLine = i + 1;
  }
  flush();
  return listeners;
}

import { SynqError } from "../errors.js";
import { AF_INET, AF_INET6 } from "../net/inet.js";
import type { Endpoint } from "../parsers/address.js";
import {
  type DiagEndpoint,
  DiagErrnoError,
  type DiagListener,
  type DiagSynRecvCount,
  EXT_SKMEMINFO,
  InetDiagDumpParser,
  LISTEN_AND_SYN_RECV,
} from "../parsers/inet-diag.js";
import type { SsListener } from "../parsers/ss-listeners.js";
import type { SynRecvCount } from "../parsers/ss-syn-recv.js";
import { dumpTcpSockets, interfaceName, SockDiagUnavailable } from "../sources/sock-diag.js";

/** A namespace's listeners and SYN-RECV counts, whichever way they were read. */
export interface SocketReading {
  listeners: SsListener[];
  synRecv: SynRecvCount[];
}

const ENOENT = 2;
const EOPNOTSUPP = 95;

/** One family's dump, parsed as it streams in. */
function dumpFamily(family: number): InetDiagDumpParser {
  const source = `sock_diag ${family === AF_INET ? "IPv4" : "IPv6"} TCP dump`;
  const parser = new InetDiagDumpParser(source);
  try {
    dumpTcpSockets(family, LISTEN_AND_SYN_RECV, EXT_SKMEMINFO, (b, n) => {
      parser.push(b, n);
      return parser.done;
    });
  } catch (err) {
    // No handler for TCP (tcp_diag not built or loadable): the kernel answers ENOENT.
    if (err instanceof DiagErrnoError && (err.errno === ENOENT || err.errno === EOPNOTSUPP)) {
      throw new SockDiagUnavailable(`${source}: the kernel has no tcp_diag (errno ${err.errno})`);
    }
    throw err;
  }
  if (!parser.done) {
    throw new SynqError("systemRead", `${source} ended without its end-of-dump message`);
  }
  return parser;
}

/** Both families' listeners and SYN-RECV counts, with the names of the devices they use. */
export interface SocketDump {
  listeners: DiagListener[];
  synRecv: DiagSynRecvCount[];
  deviceNames: Map<number, string>;
}

/**
 * Dumps the calling thread's namespace over sock_diag: LISTEN and SYN-RECV sockets of both
 * families, one dump each, and the names of the interfaces they are bound to (names are per
 * namespace, hence resolved here).
 */
export function dumpSockets(): SocketDump {
  const dumps = [dumpFamily(AF_INET), dumpFamily(AF_INET6)];
  const listeners = dumps.flatMap((d) => d.listeners());
  const synRecv = dumps.flatMap((d) => d.synRecv());
  const deviceNames = new Map<number, string>();
  for (const { local } of [...listeners, ...synRecv]) {
    if (local.ifindex !== 0 && !deviceNames.has(local.ifindex))
      deviceNames.set(local.ifindex, interfaceName(local.ifindex));
  }
  return { listeners, synRecv, deviceNames };
}

/**
 * Turns the kernel's endpoint into the one `ss -n` prints: an IPv6 wildcard that also accepts
 * IPv4 (not v6only) is `*`, and a socket bound to a device carries the device's name.
 */
export function endpointOf(
  e: DiagEndpoint,
  v6only: boolean | null,
  deviceName: (index: number) => string,
): Endpoint {
  const device = e.ifindex === 0 ? null : deviceName(e.ifindex);
  if (e.family === "inet6" && e.address === "::" && v6only === false) {
    return { address: "*", port: e.port, device, family: "any" };
  }
  return { address: e.address, port: e.port, device, family: e.family };
}

/** Combines a dump with the listeners' owners into the reading status works on. */
export function toSocketReading(
  dump: SocketDump,
  owners: ReadonlyMap<number, SsListener["owners"]>,
): SocketReading {
  const deviceName = (index: number) => dump.deviceNames.get(index) ?? `if${index}`;
  return {
    listeners: dump.listeners.map((l) => ({
      local: endpointOf(l.local, l.v6only, deviceName),
      acceptQueue: l.acceptQueue,
      backlog: l.backlog,
      owners: owners.get(l.inode) ?? [],
      drops: l.drops,
      inode: l.inode,
      uid: l.uid,
      v6only: l.v6only,
    })),
    synRecv: dump.synRecv.map((s) => ({
      local: endpointOf(s.local, null, deviceName),
      count: s.count,
    })),
  };
}

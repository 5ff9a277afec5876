import { SynqError } from "../errors.js";
import { AF_INET, AF_INET6 } from "../net/inet.js";
import {
  DiagErrnoError,
  EXT_SKMEMINFO,
  InetDiagDumpParser,
  LISTEN_AND_SYN_RECV,
  nameDevices,
} from "../parsers/inet-diag.js";
import type { ListenerSocket, SocketOwner } from "../parsers/listener-socket.js";
import type { SynRecvCount } from "../parsers/ss-syn-recv.js";
import { Errno } from "../system/errno.js";
import { dumpTcpSockets, interfaceName, SockDiagUnavailable } from "../system/sock-diag.js";

/** A namespace's listeners and SYN-RECV counts, whichever way they were read. */
export interface SocketReading {
  listeners: ListenerSocket[];
  synRecv: SynRecvCount[];
}

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
    if (
      err instanceof DiagErrnoError &&
      (err.errno === Errno.ENOENT || err.errno === Errno.EOPNOTSUPP)
    ) {
      throw new SockDiagUnavailable(`${source}: the kernel has no tcp_diag (errno ${err.errno})`);
    }
    throw err;
  }
  if (!parser.done) {
    throw new SynqError("systemRead", `${source} ended without its end-of-dump message`);
  }
  return parser;
}

/**
 * Dumps the calling thread's namespace over sock_diag: LISTEN and SYN-RECV sockets of both
 * families, one dump each, with the names of the devices they are bound to (names are per
 * namespace, hence resolved here). Owners are not in the dump: see withOwners.
 */
export function dumpSockets(): SocketReading {
  return readingOf([dumpFamily(AF_INET), dumpFamily(AF_INET6)], interfaceName);
}

/** One reading from parsed dumps, naming bound devices with `nameOf` (index → name). */
export function readingOf(
  dumps: InetDiagDumpParser[],
  nameOf: (ifindex: number) => string,
): SocketReading {
  for (const d of dumps) nameDevices(d.deviceBindings(), nameOf);
  return {
    listeners: dumps.flatMap((d) => d.listeners()),
    synRecv: dumps.flatMap((d) => d.synRecv()),
  };
}

/** Gives each listener of a dump its owners (by socket inode), in place. */
export function withOwners(
  reading: SocketReading,
  owners: ReadonlyMap<number, SocketOwner[]>,
): SocketReading {
  for (const l of reading.listeners) l.owners = (l.inode !== null && owners.get(l.inode)) || [];
  return reading;
}

import { SynqError } from "../errors.js";
import { HOST_LE } from "../net/byte-order.js";
import { AF_INET, AF_INET6, formatV4, formatV6 } from "../net/inet.js";
import type { Endpoint } from "./address.js";
import type { ListenerSocket } from "./listener-socket.js";
import type { SynRecvCount } from "./ss-syn-recv.js";
import { V4EndpointCounts } from "./v4-endpoint-counts.js";

/**
 * Parses sock_diag dumps of TCP sockets (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY answers: a
 * stream of `struct nlmsghdr` + `struct inet_diag_msg` + rtattrs, include/uapi/linux/
 * inet_diag.h) into listeners and per-endpoint SYN-RECV counts: the same readings `ss -ltnmpe`
 * and `ss -tn state syn-recv` print, without the text, in the same shapes (endpoints as `ss -n`
 * writes them). Pure: bytes in, records out; device names and owners are filled in later.
 */

export const NLMSG_HDRLEN = 16;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const SOCK_DIAG_BY_FAMILY = 20;
export const TCP_SYN_RECV = 3;
export const TCP_LISTEN = 10;
/** Attribute types (enum in include/uapi/linux/inet_diag.h). */
const INET_DIAG_SKMEMINFO = 7;
const INET_DIAG_SKV6ONLY = 11;
/** idiag_ext bit asking for INET_DIAG_SKMEMINFO (sk_meminfo[], whose index 8 is sk_drops). */
export const EXT_SKMEMINFO = 1 << (INET_DIAG_SKMEMINFO - 1);
/** The states `synq status` dumps: listeners and their request sockets. */
export const LISTEN_AND_SYN_RECV = (1 << TCP_LISTEN) | (1 << TCP_SYN_RECV);

/** Byte offset of nlmsg_type in struct nlmsghdr (after the u32 nlmsg_len). */
const NLMSG_TYPE = 4;

/**
 * struct inet_diag_msg (include/uapi/linux/inet_diag.h): byte offsets of its fields from the
 * start of the struct (`sport` to `cookie` are its struct inet_diag_sockid), and its size;
 * rtattrs follow it.
 */
const INET_DIAG_MSG = {
  family: 0, // __u8
  state: 1, // __u8
  timer: 2, // __u8
  retrans: 3, // __u8
  sport: 4, // __be16
  dport: 6, // __be16
  src: 8, // __be32[4]: an IPv4 address in the first
  dst: 24, // __be32[4]
  if: 40, // __u32
  cookie: 44, // __u32[2]
  expires: 52, // __u32
  rqueue: 56, // __u32
  wqueue: 60, // __u32
  uid: 64, // __u32
  inode: 68, // __u32
  size: 72,
} as const;

/** A field's 32-bit word in a netlink message whose payload is an inet_diag_msg. */
function wordOf(offset: number): number {
  return (NLMSG_HDRLEN + offset) >> 2;
}

/**
 * The same layout as 32-bit word indices from the start of the netlink message, for the fast
 * paths (little-endian hosts only: there the low 16 bits of a word are its first two bytes).
 */
const WORD = {
  type: NLMSG_TYPE >> 2, // low 16 bits: nlmsg_type
  familyState: wordOf(INET_DIAG_MSG.family), // low 16 bits: family, then state
  sport: wordOf(INET_DIAG_MSG.sport), // low 16 bits: sport's wire bytes
  src: wordOf(INET_DIAG_MSG.src),
  if: wordOf(INET_DIAG_MSG.if),
  rqueue: wordOf(INET_DIAG_MSG.rqueue),
  wqueue: wordOf(INET_DIAG_MSG.wqueue),
  uid: wordOf(INET_DIAG_MSG.uid),
  inode: wordOf(INET_DIAG_MSG.inode),
} as const;

/** A netlink message long enough for a whole inet_diag_msg. */
const DIAG_MESSAGE_MIN = NLMSG_HDRLEN + INET_DIAG_MSG.size;
/** WORD.familyState's low 16 bits (on little-endian hosts) for the fast paths' sockets. */
const V4_SYN_RECV = AF_INET | (TCP_SYN_RECV << 8);
const V4_LISTEN = AF_INET | (TCP_LISTEN << 8);

/** struct rtattr: u16 rta_len, u16 rta_type (at RTA_TYPE), then the payload (4-byte aligned). */
const RTA_TYPE = 2;
const RTA_HDRLEN = 4;
/** rta_type less the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags. */
const NLA_TYPE_MASK = 0x3fff;
/** Index of sk_drops in the SKMEMINFO attribute's u32 array (SK_MEMINFO_DROPS). */
const SK_MEMINFO_DROPS = 8;
/** An SKMEMINFO attribute long enough to hold sk_drops. */
const SKMEMINFO_WITH_DROPS = RTA_HDRLEN + 4 * (SK_MEMINFO_DROPS + 1);
/** Bytes of an IPv6 address (idiag_src's whole array). */
const IPV6_LEN = 16;

/**
 * An endpoint bound to a device (SO_BINDTODEVICE, sk_bound_dev_if): the dump has only the
 * interface index, whose name belongs to the namespace (see nameDevices).
 */
export interface DeviceBinding {
  endpoint: Endpoint;
  ifindex: number;
}

/** A port from its two wire (big-endian) bytes read as a host-order 16-bit number. */
function portOfRaw(raw: number): number {
  return HOST_LE ? ((raw & 0xff) << 8) | (raw >>> 8) : raw;
}

function dumpError(source: string, message: number, reason: string): SynqError {
  return new SynqError(
    "parse",
    `cannot parse ${source} message ${message} (${reason})`,
    "this kernel's sock_diag answer is not understood; please report it with your kernel version",
  );
}

/**
 * Reads one dump (one address family), fed datagram by datagram as recv() returns them.
 * Memory is flat in the number of request sockets: they are counted, never kept.
 */
export class InetDiagDumpParser {
  private readonly found: ListenerSocket[] = [];
  /** IPv4 request-socket counts by raw port, then address (as int32): keys stay small ints. */
  private readonly v4Counts = new V4EndpointCounts();
  /** Other request-socket counts, keyed by the raw endpoint (address, port, ifindex). */
  private readonly counts = new Map<string, SynRecvCount>();
  private readonly bindings: DeviceBinding[] = [];
  private messages = 0;
  /** True once NLMSG_DONE arrived: the dump is complete. */
  done = false;

  constructor(private readonly source: string) {}

  /** Adds `bytes[0, length)`: whole netlink messages, as one recv() returns them. */
  push(bytes: Uint8Array, length = bytes.length): void {
    // Netlink messages are 4-byte aligned: read them as 32-bit words where the buffer allows.
    const data = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice(0, length);
    const words = new Int32Array(data.buffer, data.byteOffset, length >> 2);
    const view = new DataView(data.buffer, data.byteOffset, length);
    const v4Counts = this.v4Counts;
    let at = 0;
    // Locals, not fields, in this loop: it runs once per socket, mostly before the JIT warms up.
    let messages = this.messages;
    try {
      while (at < length && !this.done) {
        messages++;
        if (length - at < NLMSG_HDRLEN) throw this.fail("truncated netlink header", messages);
        const w = at >> 2;
        const len = words[w] as number;
        if (len < NLMSG_HDRLEN || at + len > length) {
          throw this.fail(`bad nlmsg_len ${len}`, messages);
        }
        // Fast paths, read as words: IPv4 request sockets and listeners not bound to a device.
        let read = false;
        if (
          HOST_LE &&
          len >= DIAG_MESSAGE_MIN &&
          ((words[w + WORD.type] as number) & 0xffff) === SOCK_DIAG_BY_FAMILY &&
          words[w + WORD.if] === 0
        ) {
          const familyState = (words[w + WORD.familyState] as number) & 0xffff;
          if (familyState === V4_SYN_RECV) {
            v4Counts.add((words[w + WORD.sport] as number) & 0xffff, words[w + WORD.src] as number);
            read = true;
          } else if (familyState === V4_LISTEN) {
            read = this.v4Listener(data, words, w, len);
          }
        }
        if (!read) {
          this.messages = messages;
          this.general(data, view, at, len);
        }
        at += (len + 3) & ~3;
      }
    } finally {
      this.messages = messages;
    }
  }

  /**
   * Adds the IPv4 listener of the message at word `w` (`len` bytes) straight from the words;
   * false, adding nothing, when its attributes need the general path (which names the fault).
   */
  private v4Listener(bytes: Uint8Array, words: Int32Array, w: number, len: number): boolean {
    let drops: number | null = null;
    const end = (w << 2) + len;
    for (let a = (w << 2) + DIAG_MESSAGE_MIN; a + RTA_HDRLEN <= end; ) {
      const head = words[a >> 2] as number; // rta_len, then rta_type
      const attrLen = head & 0xffff;
      if (attrLen < RTA_HDRLEN || a + attrLen > end) return false;
      if (
        ((head >>> 16) & NLA_TYPE_MASK) === INET_DIAG_SKMEMINFO &&
        attrLen >= SKMEMINFO_WITH_DROPS
      ) {
        drops = (words[((a + RTA_HDRLEN) >> 2) + SK_MEMINFO_DROPS] as number) >>> 0;
      }
      a += (attrLen + 3) & ~3;
    }
    this.found.push({
      local: {
        address: this.v4Text(words[w + WORD.src] as number, bytes, (w + WORD.src) << 2),
        port: portOfRaw((words[w + WORD.sport] as number) & 0xffff),
        device: null,
        family: "inet",
      },
      acceptQueue: (words[w + WORD.rqueue] as number) >>> 0,
      backlog: (words[w + WORD.wqueue] as number) >>> 0,
      owners: [],
      drops,
      inode: (words[w + WORD.inode] as number) >>> 0,
      uid: (words[w + WORD.uid] as number) >>> 0,
      v6only: null,
    });
    return true;
  }

  private general(bytes: Uint8Array, view: DataView, at: number, len: number): void {
    const type = view.getUint16(at + NLMSG_TYPE, HOST_LE);
    if (type === NLMSG_DONE) {
      // The dump callback's last return value; negative is an errno (e.g. -EINTR).
      const status = len >= NLMSG_HDRLEN + 4 ? view.getInt32(at + NLMSG_HDRLEN, HOST_LE) : 0;
      if (status < 0) throw new DiagErrnoError(this.source, -status);
      this.done = true;
    } else if (type === NLMSG_ERROR) {
      const errno = len >= NLMSG_HDRLEN + 4 ? -view.getInt32(at + NLMSG_HDRLEN, HOST_LE) : 0;
      throw new DiagErrnoError(this.source, errno);
    } else if (type === SOCK_DIAG_BY_FAMILY) {
      this.message(bytes, view, at + NLMSG_HDRLEN, at + len);
    } else {
      throw this.fail(`unexpected message type ${type}`);
    }
  }

  private fail(reason: string, message = this.messages): SynqError {
    return dumpError(this.source, message, reason);
  }

  private message(bytes: Uint8Array, view: DataView, at: number, end: number): void {
    if (end - at < INET_DIAG_MSG.size) {
      throw this.fail(`inet_diag_msg shorter than ${INET_DIAG_MSG.size} bytes`);
    }
    const family = bytes[at + INET_DIAG_MSG.family] as number;
    const state = bytes[at + INET_DIAG_MSG.state] as number;
    if (family !== AF_INET && family !== AF_INET6) throw this.fail(`address family ${family}`);
    if (state === TCP_SYN_RECV) {
      if (family === AF_INET && view.getUint32(at + INET_DIAG_MSG.if, HOST_LE) === 0) {
        this.v4Counts.add(
          view.getUint16(at + INET_DIAG_MSG.sport, HOST_LE),
          view.getInt32(at + INET_DIAG_MSG.src, HOST_LE),
        );
      } else {
        this.countRequest(bytes, view, at, family);
      }
    } else if (state === TCP_LISTEN) {
      this.found.push(this.listener(bytes, view, at, end, family));
    }
    // Other states cannot match the dump's state filter; tolerate them all the same.
  }

  /**
   * The endpoint at `at` as `ss -n` prints it: an IPv6 wildcard that also takes IPv4 (not
   * v6only) is `*`. A device binding is noted for nameDevices.
   */
  private endpoint(
    bytes: Uint8Array,
    view: DataView,
    at: number,
    family: number,
    v6only: boolean | null,
  ): Endpoint {
    const src = at + INET_DIAG_MSG.src;
    const address =
      family === AF_INET
        ? this.v4Text(view.getInt32(src, HOST_LE), bytes, src)
        : formatV6(bytes.subarray(src, src + IPV6_LEN));
    const port = view.getUint16(at + INET_DIAG_MSG.sport, false);
    const endpoint: Endpoint =
      family === AF_INET6 && address === "::" && v6only === false
        ? { address: "*", port, device: null, family: "any" }
        : { address, port, device: null, family: family === AF_INET ? "inet" : "inet6" };
    const ifindex = view.getUint32(at + INET_DIAG_MSG.if, HOST_LE);
    if (ifindex !== 0) this.bindings.push({ endpoint, ifindex });
    return endpoint;
  }

  /** Counts any other request socket, keyed by its raw endpoint. */
  private countRequest(bytes: Uint8Array, view: DataView, at: number, family: number): void {
    const key = endpointKey(view, at, family);
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { local: this.endpoint(bytes, view, at, family, null), count: 1 });
  }

  private listener(
    bytes: Uint8Array,
    view: DataView,
    at: number,
    end: number,
    family: number,
  ): ListenerSocket {
    let drops: number | null = null;
    let v6only: boolean | null = null;
    for (let a = at + INET_DIAG_MSG.size; a + RTA_HDRLEN <= end; ) {
      const len = view.getUint16(a, HOST_LE);
      const type = view.getUint16(a + RTA_TYPE, HOST_LE) & NLA_TYPE_MASK;
      if (len < RTA_HDRLEN || a + len > end) throw this.fail(`bad attribute length ${len}`);
      if (type === INET_DIAG_SKMEMINFO && len >= SKMEMINFO_WITH_DROPS) {
        drops = view.getUint32(a + RTA_HDRLEN + 4 * SK_MEMINFO_DROPS, HOST_LE);
      } else if (type === INET_DIAG_SKV6ONLY && len > RTA_HDRLEN) {
        v6only = bytes[a + RTA_HDRLEN] !== 0;
      }
      a += (len + 3) & ~3;
    }
    if (family === AF_INET6) v6only ??= false;
    return {
      local: this.endpoint(bytes, view, at, family, v6only),
      acceptQueue: view.getUint32(at + INET_DIAG_MSG.rqueue, HOST_LE),
      backlog: view.getUint32(at + INET_DIAG_MSG.wqueue, HOST_LE),
      owners: [],
      drops,
      inode: view.getUint32(at + INET_DIAG_MSG.inode, HOST_LE),
      uid: view.getUint32(at + INET_DIAG_MSG.uid, HOST_LE),
      v6only,
    };
  }

  private lastV4 = { word: 0, text: "" };

  /**
   * The IPv4 address `bytes[at, at + 4)` (`word` as read in host order) as text, the same
   * string as last time when it is the same address: 10,000 listeners on 0.0.0.0 share one.
   */
  private v4Text(word: number, bytes: Uint8Array, at: number): string {
    const last = this.lastV4;
    if (last.word !== word || last.text === "") {
      last.word = word;
      last.text = formatV4(bytes.subarray(at, at + 4));
    }
    return last.text;
  }

  /** The listeners, in dump order. */
  listeners(): ListenerSocket[] {
    return this.found;
  }

  /** SYN-RECV counts per local endpoint. */
  synRecv(): SynRecvCount[] {
    const out: SynRecvCount[] = [];
    const { ports, addresses, counts } = this.v4Counts.slots();
    // Back from the raw words (read in host order) to bytes in wire order, big-endian there.
    const rawBytes = new Uint8Array(4);
    const raw = new DataView(rawBytes.buffer);
    for (let i = 0; i < ports.length; i++) {
      const rawPort = ports[i] as number;
      if (rawPort === -1) continue;
      const word = addresses[i] as number;
      raw.setInt32(0, word, HOST_LE);
      const local: Endpoint = {
        address: this.v4Text(word, rawBytes, 0),
        port: portOfRaw(rawPort),
        device: null,
        family: "inet",
      };
      out.push({ local, count: counts[i] as number });
    }
    for (const c of this.counts.values()) out.push(c);
    return out;
  }

  /** The endpoints bound to a device, whose names nameDevices fills in. */
  deviceBindings(): DeviceBinding[] {
    return this.bindings;
  }
}

/**
 * Names the devices of `bindings` (interface indexes are per namespace: call it in the dump's),
 * as `ss` prints them; each index is looked up once.
 */
export function nameDevices(bindings: DeviceBinding[], nameOf: (ifindex: number) => string) {
  const names = new Map<number, string>();
  for (const { endpoint, ifindex } of bindings) {
    let name = names.get(ifindex);
    if (name === undefined) {
      name = nameOf(ifindex);
      names.set(ifindex, name);
    }
    endpoint.device = name;
  }
}

/** The kernel refused or aborted a dump: errno tells why (ENOENT: no tcp_diag). */
export class DiagErrnoError extends SynqError {
  constructor(
    source: string,
    readonly errno: number,
  ) {
    super("systemRead", `${source} failed: errno ${errno}`);
    this.name = "DiagErrnoError";
  }
}

/**
 * A request socket's local endpoint as a short string key: family, sport, the address as
 * 16-bit units and ifindex, built in one call (no per-byte concatenation, little garbage).
 */
function endpointKey(view: DataView, at: number, family: number): string {
  const port = view.getUint16(at + INET_DIAG_MSG.sport, HOST_LE);
  const ifLow = view.getUint16(at + INET_DIAG_MSG.if, HOST_LE);
  const ifHigh = view.getUint16(at + INET_DIAG_MSG.if + 2, HOST_LE);
  const src = at + INET_DIAG_MSG.src;
  if (family === AF_INET) {
    return String.fromCharCode(
      port,
      view.getUint16(src, HOST_LE),
      view.getUint16(src + 2, HOST_LE),
      ifLow,
      ifHigh,
    );
  }
  return String.fromCharCode(
    port,
    view.getUint16(src, HOST_LE),
    view.getUint16(src + 2, HOST_LE),
    view.getUint16(src + 4, HOST_LE),
    view.getUint16(src + 6, HOST_LE),
    view.getUint16(src + 8, HOST_LE),
    view.getUint16(src + 10, HOST_LE),
    view.getUint16(src + 12, HOST_LE),
    view.getUint16(src + 14, HOST_LE),
    ifLow,
    ifHigh,
  );
}

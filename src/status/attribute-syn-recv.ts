import { type Endpoint, unmapV4 } from "../parsers/address.js";
import type { SynRecvCount } from "../parsers/ss-syn-recv.js";

/** The part of a listener that decides which SYNs it receives. */
export interface ListenerKey {
  local: Endpoint;
  v6only: boolean | null;
}

/** SYN-RECV totals per listener index, plus those that matched no listener. */
export interface Attribution {
  /** Request sockets per listener (same index as the input); SO_REUSEPORT peers share a total. */
  perListener: number[];
  unattributed: number;
}

const V4_ANY = "0.0.0.0";
const V6_ANY = "::";
const NONE = -1;

/**
 * The listeners of each port as linked lists in typed arrays, with what decides a match worked
 * out once per listener: no keys or objects per SYN-RECV entry (there are 10,000s of them).
 */
class ListenersByPort {
  private readonly head = new Int32Array(65536).fill(NONE);
  private readonly next: Int32Array;
  /** The IPv4 address each listener is bound to (also from a v4-mapped IPv6 one), else null. */
  private readonly v4: (string | null)[];
  /** The IPv6 address each listener is bound to (`::` for a dual-stack `*`), else null. */
  private readonly v6: (string | null)[];
  /** IPv6 wildcards that also take IPv4 SYNs (not v6only). */
  private readonly v6AnyTakesV4: Uint8Array;

  constructor(listeners: ListenerKey[]) {
    this.next = new Int32Array(listeners.length);
    this.v4 = new Array(listeners.length);
    this.v6 = new Array(listeners.length);
    this.v6AnyTakesV4 = new Uint8Array(listeners.length);
    listeners.forEach((l, i) => {
      const { family, address, port } = l.local;
      const mapped = family === "inet6" ? unmapV4(address) : null;
      const v6 = family === "any" ? V6_ANY : family === "inet6" && mapped === null ? address : null;
      this.v4[i] = family === "inet" ? address : mapped;
      this.v6[i] = v6;
      this.v6AnyTakesV4[i] = v6 === V6_ANY && (family === "any" || l.v6only === false) ? 1 : 0;
      this.next[i] = this.head[port] as number;
      this.head[port] = i;
    });
  }

  /**
   * Adds `count` to every listener on `port` that matches in the most specific way any does:
   * `v4` for an IPv4 request (bound address, then 0.0.0.0, then a dual-stack wildcard), else
   * `v6` (bound address, then ::). False when none matches.
   */
  credit(totals: number[], port: number, v4: string | null, v6: string, count: number): boolean {
    const tiers = v4 !== null ? 3 : 2;
    for (let tier = 0; tier < tiers; tier++) {
      let found = false;
      for (let i = this.head[port] as number; i !== NONE; i = this.next[i] as number) {
        if (v4 !== null ? this.matchesV4(i, tier, v4) : this.matchesV6(i, tier, v6)) {
          totals[i] = (totals[i] as number) + count;
          found = true;
        }
      }
      if (found) return true;
    }
    return false;
  }

  private matchesV4(i: number, tier: number, v4: string): boolean {
    if (tier === 0) return this.v4[i] === v4;
    if (tier === 1) return this.v4[i] === V4_ANY;
    return this.v6AnyTakesV4[i] === 1;
  }

  private matchesV6(i: number, tier: number, v6: string): boolean {
    return this.v6[i] === (tier === 0 ? v6 : V6_ANY);
  }
}

/**
 * Assigns each SYN-RECV entry to the listener the kernel would have looked up, most specific
 * first (as __inet_lookup_listener scores them): a request to 10.0.0.1:80 belongs to a
 * 10.0.0.1:80 listener (or an IPv6 one bound to ::ffff:10.0.0.1), else to 0.0.0.0:80, else to
 * a dual-stack [::]:80 (`*:80`). IPv6 requests go to [::1]:80-style exact listeners, else [::]:80.
 * Listeners sharing one address:port (SO_REUSEPORT) share the total: ss cannot tell which one
 * owns a request.
 */
export function attributeSynRecv(listeners: ListenerKey[], synRecv: SynRecvCount[]): Attribution {
  const byPort = new ListenersByPort(listeners);
  const perListener = new Array<number>(listeners.length).fill(0);
  let unattributed = 0;
  for (const { local, count } of synRecv) {
    const v4 = local.family === "inet" ? local.address : unmapV4(local.address);
    if (!byPort.credit(perListener, local.port, v4, local.address, count)) unattributed += count;
  }
  return { perListener, unattributed };
}

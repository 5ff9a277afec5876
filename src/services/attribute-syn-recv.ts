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

function acceptsV4(l: ListenerKey): boolean {
  if (l.local.family === "inet") return true;
  if (l.local.family === "any") return true;
  return l.v6only === false || (l.v6only === null && unmapV4(l.local.address) !== null);
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
  const byKey = new Map<string, number[]>();
  listeners.forEach((l, i) => {
    const addr = l.local.family === "any" ? V6_ANY : (unmapV4(l.local.address) ?? l.local.address);
    const fam = l.local.family === "inet" || unmapV4(l.local.address) ? "4" : "6";
    const key = `${fam}|${addr}|${l.local.port}`;
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });

  const perListener = listeners.map(() => 0);
  let unattributed = 0;
  const credit = (indices: number[] | undefined, count: number) => {
    if (!indices || indices.length === 0) return false;
    for (const i of indices) perListener[i] = (perListener[i] as number) + count;
    return true;
  };

  for (const { local, count } of synRecv) {
    const v4 = local.family === "inet" ? local.address : unmapV4(local.address);
    const port = local.port;
    let done: boolean;
    if (v4 !== null) {
      done =
        credit(byKey.get(`4|${v4}|${port}`), count) ||
        credit(byKey.get(`4|${V4_ANY}|${port}`), count) ||
        credit(
          byKey.get(`6|${V6_ANY}|${port}`)?.filter((i) => acceptsV4(listeners[i] as ListenerKey)),
          count,
        );
    } else {
      done =
        credit(byKey.get(`6|${local.address}|${port}`), count) ||
        credit(byKey.get(`6|${V6_ANY}|${port}`), count);
    }
    if (!done) unattributed += count;
  }
  return { perListener, unattributed };
}

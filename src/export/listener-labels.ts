import type { Listener } from "../model/status.js";

/** The labels that name one listener's series. */
export type ListenerLabels = Record<string, string>;

function baseLabels(l: Listener): ListenerLabels {
  const labels: ListenerLabels = {
    netns: l.netns,
    address: l.address,
    port: String(l.port),
    family: l.family,
  };
  if (l.device !== null) labels.device = l.device;
  return labels;
}

/**
 * Labels for each listener, in order. Listeners that share every label (SO_REUSEPORT group
 * members on one address:port) also get `socket` (the inode) to keep their series apart; the
 * others do not, so the inode, new at every restart of a service, does not churn their series.
 */
export function listenerLabels(listeners: readonly Listener[]): ListenerLabels[] {
  const base = listeners.map(baseLabels);
  const keys = base.map((labels) => JSON.stringify(labels));
  const seen = new Map<string, number>();
  for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
  return base.map((labels, i) => {
    if ((seen.get(keys[i] as string) ?? 0) < 2) return labels;
    const inode = (listeners[i] as Listener).inode;
    // sock_diag and ss always give the inode; without one, the position keeps series apart.
    return { ...labels, socket: inode === null ? `#${i}` : String(inode) };
  });
}

/**
 * Which per-listener counter entries of the tracer belong to sockets that are gone, so that
 * `synq export --trace` can delete them at each collection and its map (16,384 entries) keeps
 * room for new listeners over runs of months instead of filling with services' restarts.
 *
 * `keys` must have been read before `status`: a socket whose entry existed then and that the
 * status's later dump of its namespace does not list has closed (the dump lists every
 * listener of the namespace). Entries of namespaces the export does not select (gone, or not
 * asked for) are never exported and go too. Where the status cannot tell (the namespace was
 * skipped, or a listener came without its inode), entries stay.
 */
import type { Status } from "../model/status.js";
import type { ListenerKey } from "../trace/event-layout.js";

export function closedListenerKeys(
  keys: readonly ListenerKey[],
  names: ReadonlyMap<number, string>,
  status: Status,
): ListenerKey[] {
  const inodes = new Map<string, Set<number> | null>();
  for (const ns of status.namespaces) {
    const known = ns.listeners.every((l) => l.inode !== null);
    inodes.set(ns.netns, known ? new Set(ns.listeners.map((l) => l.inode as number)) : null);
  }
  return keys.filter((key) => {
    const netns = names.get(key.netnsIno);
    if (netns === undefined) return true;
    const live = inodes.get(netns);
    return live !== undefined && live !== null && !live.has(key.sockIno);
  });
}

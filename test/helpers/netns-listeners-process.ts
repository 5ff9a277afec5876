/**
 * One process that opens listeners in many named network namespaces
 * (`node --import tsx netns-listeners-process.ts '<json>'`), prints `ready`, and holds them
 * until its stdin closes: a thousand namespaces cost one process, not a thousand. It enters
 * each namespace with setns(2) only for the socket() calls; a socket stays in the namespace
 * it was created in.
 */
import { withNetns } from "../../src/system/enter-netns.js";
import { NETNS_RUN_DIR } from "../../src/system/netns.js";
import { type ListenerSpec, openListener } from "./libc-socket.js";

/**
 * Groups of /run/netns names and the listeners to open in each name of the group. Grouped so
 * that a thousand namespaces fit in one argument (at most 128 KiB on Linux).
 */
export type NetnsListeners = { netns: string[]; listeners: ListenerSpec[] }[];

const request = JSON.parse(process.argv[2] ?? "[]") as NetnsListeners;
for (const { netns, listeners } of request) {
  for (const ns of netns) {
    withNetns(`${NETNS_RUN_DIR}/${ns}`, ns, () => {
      for (const l of listeners) openListener(l);
    });
  }
}
process.stdout.write("ready\n");
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));

/**
 * One process that opens listeners in many named network namespaces
 * (`node --import tsx netns-listeners-process.ts '<json>'`), prints `ready`, and holds them
 * until its stdin closes: a thousand namespaces cost one process, not a thousand. It enters
 * each namespace with setns(2) only for the socket() calls; a socket stays in the namespace
 * it was created in.
 */
import { withNetns } from "../src/system/enter-netns.js";
import { NETNS_RUN_DIR } from "../src/system/netns.js";
import { openListener } from "../test/helpers/libc-socket.js";

interface Request {
  /** Namespaces `${prefix}0` … `${prefix}${count - 1}`, made beforehand. */
  prefix: string;
  count: number;
  /** Listeners per namespace, on 0.0.0.0 from `portFrom`. */
  perNamespace: number;
  portFrom: number;
  backlog: number;
}

const req = JSON.parse(process.argv[2] ?? "{}") as Request;
for (let n = 0; n < req.count; n++) {
  const ns = `${req.prefix}${n}`;
  withNetns(`${NETNS_RUN_DIR}/${ns}`, ns, () => {
    for (let i = 0; i < req.perNamespace; i++) {
      openListener({ address: "0.0.0.0", port: req.portFrom + i, backlog: req.backlog });
    }
  });
}
process.stdout.write("ready\n");
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));

/**
 * The tc strategy's attachment to the ingress of each chosen interface, one of two hooks:
 * - tcx (Linux 6.6+): a BPF link, no qdisc; closing its fd detaches it, and the kernel closes
 *   it when synq's process ends in any way, SIGKILL included. The cheaper hook of the two.
 * - clsact: a cls_bpf filter (direct action) on the clsact qdisc. synq creates the qdisc only
 *   where none exists and removes exactly what it added: its own filter (by handle and
 *   priority) everywhere, and the qdisc only where it created it.
 * All attaching happens inside the traced namespace (ifindexes are per namespace).
 */
import { closeSync } from "node:fs";
import { SynqError } from "../errors.js";
import {
  BPF_TC_EGRESS,
  BPF_TC_INGRESS,
  BPF_TCX_INGRESS,
  bpfTcHook,
  bpfTcOpts,
  libbpf,
  libbpfError,
} from "../ffi/libbpf.js";
import type { TcHook } from "../model/trace-enums.js";
import type { NetnsHandle } from "../system/enter-netns.js";
import { Errno } from "../system/errno.js";
import { runToolSync } from "../system/run-tool.js";

/** Errors that mean "already gone" when removing (interface or namespace went away). */
const GONE = new Set<number>([Errno.ENOENT, Errno.ENODEV, Errno.EINVAL]);

/** A network interface of the traced namespace. */
export interface NetInterface {
  ifindex: number;
  name: string;
  up: boolean;
}

/** What synq added to one interface. */
export type TcAttachment =
  | { hook: "tcx"; ifindex: number; ifname: string; linkFd: number }
  | {
      hook: "clsact";
      ifindex: number;
      ifname: string;
      handle: number;
      priority: number;
      /** Whether synq created the clsact qdisc (and so removes it). */
      createdQdisc: boolean;
    };

/** Parses `ip -j link show`. */
export function parseIpLinkJson(text: string): NetInterface[] {
  const links = JSON.parse(text) as { ifindex: number; ifname: string; flags?: string[] }[];
  return links.map((l) => ({
    ifindex: l.ifindex,
    name: l.ifname,
    up: (l.flags ?? []).includes("UP"),
  }));
}

/** The interfaces of the namespace `ns` (run inside it). */
export function listInterfaces(ns: NetnsHandle): NetInterface[] {
  return parseIpLinkJson(ns.run(() => runToolSync("ip", ["-j", "link", "show"])));
}

/**
 * Which interfaces to attach to: those named by --interface (each must exist), or by
 * default every interface that is up, lo included.
 */
export function chooseInterfaces(all: NetInterface[], wanted: string[]): NetInterface[] {
  if (wanted.length === 0) return all.filter((i) => i.up);
  return wanted.map((name) => {
    const found = all.find((i) => i.name === name);
    if (!found) {
      throw new SynqError(
        "badInput",
        `no interface ${name} in the traced network namespace`,
        `choose one of: ${all.map((i) => i.name).join(", ")}`,
      );
    }
    return found;
  });
}

/** Attaches the program to `iface`'s ingress through `tcHook` (run inside the netns). */
export function tcAttach(progFd: number, iface: NetInterface, tcHook: TcHook): TcAttachment {
  return tcHook === "tcx" ? tcxAttach(progFd, iface) : clsactAttach(progFd, iface);
}

function tcxAttach(progFd: number, iface: NetInterface): TcAttachment {
  const fd = libbpf().bpf_link_create(progFd, iface.ifindex, BPF_TCX_INGRESS, null);
  if (fd < 0) throw libbpfError(`attaching the tcx link to ${iface.name}`, fd);
  return { hook: "tcx", ifindex: iface.ifindex, ifname: iface.name, linkFd: fd };
}

/** Adds the filter to `iface`'s ingress, creating clsact when absent. */
function clsactAttach(progFd: number, iface: NetInterface): TcAttachment {
  const l = libbpf();
  const ingress = bpfTcHook(iface.ifindex, BPF_TC_INGRESS);
  const created = l.bpf_tc_hook_create(ingress);
  if (created !== 0 && created !== -Errno.EEXIST) {
    throw libbpfError(`creating a clsact qdisc on ${iface.name}`, created);
  }
  const o = bpfTcOpts(progFd);
  const err = l.bpf_tc_attach(ingress, o);
  if (err) {
    if (created === 0)
      l.bpf_tc_hook_destroy(bpfTcHook(iface.ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS));
    throw libbpfError(`attaching the tc filter to ${iface.name}`, err);
  }
  return {
    hook: "clsact",
    ifindex: iface.ifindex,
    ifname: iface.name,
    handle: o.handle,
    priority: o.priority,
    createdQdisc: created === 0,
  };
}

/** What an attachment is, for messages: "tcx link on lo", "tc filter on lo and …". */
export function describeTcAttachment(a: TcAttachment): string {
  if (a.hook === "tcx") return `tcx link on ${a.ifname}`;
  return `tc filter on ${a.ifname}${a.createdQdisc ? " and the clsact qdisc synq added" : ""}`;
}

/**
 * Removes what tcAttach added (run inside the netns): the tcx link, or synq's filter and, if
 * synq created it, the clsact qdisc. An interface that disappeared meanwhile counts as done.
 */
export function tcDetach(a: TcAttachment): void {
  if (a.hook === "tcx") {
    closeSync(a.linkFd);
    return;
  }
  const l = libbpf();
  const err = l.bpf_tc_detach(
    bpfTcHook(a.ifindex, BPF_TC_INGRESS),
    bpfTcOpts(0, a.handle, a.priority),
  );
  if (err && !GONE.has(-err)) throw libbpfError(`removing the tc filter from ${a.ifname}`, err);
  if (!a.createdQdisc) return;
  // Both directions: libbpf deletes the qdisc itself (one direction would flush its filters).
  const qerr = l.bpf_tc_hook_destroy(bpfTcHook(a.ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS));
  if (qerr && !GONE.has(-qerr)) {
    throw libbpfError(`removing the clsact qdisc synq added to ${a.ifname}`, qerr);
  }
}

/**
 * The tc strategy's attachment: a cls_bpf filter (direct action) on the clsact ingress hook of
 * each chosen interface. synq creates the clsact qdisc only where none exists and removes
 * exactly what it added: its own filter (by handle and priority) everywhere, and the qdisc
 * only where it created it. All netlink work happens inside the traced namespace.
 */
import { spawnSync } from "node:child_process";
import {
  BPF_TC_EGRESS,
  BPF_TC_INGRESS,
  type BpfTcHook,
  type BpfTcOpts,
  ffi,
  libbpf,
  libbpfError,
} from "../bpf/libbpf.js";
import { SynqError } from "../errors.js";
import type { NetnsHandle } from "./netns-handle.js";

const EEXIST = 17;
/** Errors that mean "already gone" when removing (interface or namespace went away). */
const GONE = new Set([2, 19, 22]); // ENOENT, ENODEV, EINVAL

/** A network interface of the traced namespace. */
export interface NetInterface {
  ifindex: number;
  name: string;
  up: boolean;
}

/** What synq added to one interface. */
export interface TcAttachment {
  ifindex: number;
  ifname: string;
  handle: number;
  priority: number;
  /** Whether synq created the clsact qdisc (and so removes it). */
  createdQdisc: boolean;
}

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
  const r = ns.run(() => spawnSync("ip", ["-j", "link", "show"], { encoding: "utf8" }));
  if (r.error) {
    throw new SynqError(
      "missingTool",
      "`ip` was not found in PATH",
      "install iproute2 (Debian/Ubuntu: apt-get install iproute2)",
    );
  }
  if (r.status !== 0) {
    throw new SynqError("systemRead", `ip link show failed: ${r.stderr.trim()}`);
  }
  return parseIpLinkJson(r.stdout);
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

function hook(ifindex: number, attachPoint: number): BpfTcHook {
  return { sz: ffi().sizeof("bpf_tc_hook"), ifindex, attach_point: attachPoint, parent: 0 };
}

function opts(progFd: number, handle = 0, priority = 0): BpfTcOpts {
  return {
    sz: ffi().sizeof("bpf_tc_opts"),
    prog_fd: progFd,
    flags: 0,
    prog_id: 0,
    handle,
    priority,
  };
}

/** Adds the filter to `iface`'s ingress, creating clsact when absent (run inside the netns). */
export function tcAttach(progFd: number, iface: NetInterface): TcAttachment {
  const l = libbpf();
  const ingress = hook(iface.ifindex, BPF_TC_INGRESS);
  const created = l.bpf_tc_hook_create(ingress);
  if (created !== 0 && created !== -EEXIST) {
    throw libbpfError(`creating a clsact qdisc on ${iface.name}`, created);
  }
  const o = opts(progFd);
  const err = l.bpf_tc_attach(ingress, o);
  if (err) {
    if (created === 0) l.bpf_tc_hook_destroy(hook(iface.ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS));
    throw libbpfError(`attaching the tc filter to ${iface.name}`, err);
  }
  return {
    ifindex: iface.ifindex,
    ifname: iface.name,
    handle: o.handle,
    priority: o.priority,
    createdQdisc: created === 0,
  };
}

/**
 * Removes synq's filter and, if synq created it, the clsact qdisc (run inside the netns).
 * An interface that disappeared meanwhile counts as done.
 */
export function tcDetach(a: TcAttachment): void {
  const l = libbpf();
  const err = l.bpf_tc_detach(hook(a.ifindex, BPF_TC_INGRESS), opts(0, a.handle, a.priority));
  if (err && !GONE.has(-err)) throw libbpfError(`removing the tc filter from ${a.ifname}`, err);
  if (!a.createdQdisc) return;
  // Both directions: libbpf deletes the qdisc itself (one direction would flush its filters).
  const qerr = l.bpf_tc_hook_destroy(hook(a.ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS));
  if (qerr && !GONE.has(-qerr)) {
    throw libbpfError(`removing the clsact qdisc synq added to ${a.ifname}`, qerr);
  }
}

import { describe, expect, it } from "vitest";
import { STRATEGIES } from "../../../src/model/trace-enums.js";
import {
  describeStrategy,
  type KernelFeatures,
  strategyPrecheck,
  strategyPrograms,
  tcHookFor,
} from "../../../src/trace/strategy.js";

/** This host: 6.18, no kprobes, BTF, the exact kfree_skb reason. */
const host: KernelFeatures = {
  release: "6.18.44",
  btfFunctions: { tcp_conn_request: true, tcp_v4_syn_recv_sock: true, tcp_v6_syn_recv_sock: true },
  recvSockParams: { v4: 6, v6: 6 },
  kprobes: false,
  kallsyms: null,
  tcHelpers: true,
  tcx: true,
  cgroup2Root: "/sys/fs/cgroup/unified",
  listenOverflowReason: 40,
  synQueueRule: "backlog-plus-one",
};
/** Debian 12's 6.1 under the harness: kprobes, no kfree_skb reason yet. */
const debian61: KernelFeatures = {
  ...host,
  release: "6.1.0-50-amd64",
  kprobes: true,
  kallsyms: { tcp_conn_request: true, tcp_v4_syn_recv_sock: true, tcp_v6_syn_recv_sock: true },
  cgroup2Root: "/sys/fs/cgroup",
  listenOverflowReason: null,
  tcx: false,
};

describe("strategies", () => {
  it("are tried best first", () => {
    expect(STRATEGIES).toEqual(["fentry", "kprobe", "cgroup", "tc"]);
  });

  it("fentry and kprobe load twins of the same hooks, v4 and v6", () => {
    expect(strategyPrograms("fentry", host)).toEqual([
      "acceptq_fentry_conn_request",
      "acceptq_fentry_v4_recv_sock",
      "acceptq_fexit_v4_recv_sock",
      "acceptq_fentry_v6_recv_sock",
      "acceptq_fexit_v6_recv_sock",
    ]);
    expect(strategyPrograms("kprobe", debian61)).toEqual([
      "acceptq_kprobe_conn_request",
      "acceptq_kprobe_v4_recv_sock",
      "acceptq_kretprobe_v4_recv_sock",
      "acceptq_kprobe_v6_recv_sock",
      "acceptq_kretprobe_v6_recv_sock",
    ]);
  });

  it("fentry reads syn_recv_sock's return value after as many parameters as the kernel has", () => {
    // Debian's 6.12.117 added a seventh parameter (a callback) to tcp_v4/v6_syn_recv_sock.
    const seven = { ...host, recvSockParams: { v4: 7, v6: 7 } };
    expect(strategyPrograms("fentry", seven)).toEqual([
      "acceptq_fentry_conn_request",
      "acceptq_fentry_v4_recv_sock",
      "acceptq_fexit7_v4_recv_sock",
      "acceptq_fentry_v6_recv_sock",
      "acceptq_fexit7_v6_recv_sock",
    ]);
    expect(strategyPrecheck("fentry", seven)).toBeNull();
    expect(strategyPrecheck("fentry", { ...host, recvSockParams: { v4: 8, v6: 8 } })).toBe(
      "tcp_v4_syn_recv_sock takes 8 parameters here; synq's fexit programs know 6 or 7",
    );
  });

  it("leave the IPv6 hooks out when the kernel has no IPv6", () => {
    const noV6 = {
      ...debian61,
      btfFunctions: { ...debian61.btfFunctions, tcp_v6_syn_recv_sock: false },
      kallsyms: { tcp_conn_request: true, tcp_v4_syn_recv_sock: true, tcp_v6_syn_recv_sock: false },
    };
    expect(strategyPrograms("kprobe", noV6)).toHaveLength(3);
  });

  it("tc and cgroup add the exact kfree_skb hook only where the kernel has the reason", () => {
    expect(strategyPrograms("tc", host)).toEqual(["acceptq_tc_ingress", "acceptq_kfree_skb"]);
    expect(strategyPrograms("tc", debian61)).toEqual(["acceptq_tc_ingress"]);
    expect(strategyPrograms("cgroup", host)).toEqual([
      "acceptq_cgroup_ingress",
      "acceptq_kfree_skb",
    ]);
    expect(describeStrategy("tc", host)).toMatch(/TCP_LISTEN_OVERFLOW/);
    expect(describeStrategy("tc", debian61)).not.toMatch(/TCP_LISTEN_OVERFLOW/);
  });

  it("say why a strategy cannot work before trying it", () => {
    expect(strategyPrecheck("kprobe", host)).toBe(
      "the kernel has no kprobes (CONFIG_KPROBES is off)",
    );
    expect(strategyPrecheck("kprobe", debian61)).toBeNull();
    expect(
      strategyPrecheck("kprobe", {
        ...debian61,
        kallsyms: {
          tcp_conn_request: false,
          tcp_v4_syn_recv_sock: true,
          tcp_v6_syn_recv_sock: true,
        },
      }),
    ).toMatch(/tcp_conn_request is not in \/proc\/kallsyms/);
    expect(
      strategyPrecheck("fentry", {
        ...host,
        btfFunctions: { ...host.btfFunctions, tcp_conn_request: false },
      }),
    ).toMatch(/BTF has no tcp_conn_request/);
    expect(strategyPrecheck("cgroup", { ...host, cgroup2Root: null })).toMatch(/cgroup v2/);
    expect(strategyPrecheck("tc", { ...host, tcHelpers: false })).toMatch(/5\.9/);
    expect(strategyPrecheck("fentry", host)).toBeNull();
  });

  it("tc uses tcx where the kernel has it, clsact elsewhere or when asked", () => {
    expect(tcHookFor("auto", host)).toBe("tcx");
    expect(tcHookFor("auto", debian61)).toBe("clsact");
    expect(tcHookFor("clsact", host)).toBe("clsact");
    expect(describeStrategy("tc", host)).toMatch(/^tcx ingress/);
    expect(describeStrategy("tc", host, { tcHook: "clsact" })).toMatch(/^clsact ingress/);
    expect(describeStrategy("tc", debian61)).toMatch(/^clsact ingress/);
    expect(strategyPrecheck("tc", debian61, { tcHook: "tcx" })).toBe(
      "the kernel has no tcx hook (Linux 6.6+); --tc-hook clsact works here",
    );
    expect(strategyPrecheck("tc", debian61, { tcHook: "clsact" })).toBeNull();
    expect(strategyPrecheck("tc", host, { tcHook: "tcx" })).toBeNull();
  });

  it("cgroup names where it attaches: the root, or the cgroup asked for", () => {
    expect(describeStrategy("cgroup", host)).toMatch(
      /^inet ingress of the root cgroup \(\/sys\/fs\/cgroup\/unified\) predicts/,
    );
    expect(describeStrategy("cgroup", host, { cgroup: "/sys/fs/cgroup/unified/web" })).toMatch(
      /^inet ingress of the cgroup \/sys\/fs\/cgroup\/unified\/web and its descendants predicts/,
    );
  });
});

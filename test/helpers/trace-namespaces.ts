import { afterEach, expect } from "vitest";
import { waitForNoLeftovers } from "./bpf-state.js";
import { createNetns, deleteNetns } from "./netns.js";

/**
 * For a tracer test file: returns a function that creates a network namespace for the
 * current test. After each test, its namespaces are deleted and no tracer program, map or
 * link may be left in the kernel.
 */
export function useTraceNamespaces(): (prefix: string) => string {
  const namespaces: string[] = [];
  afterEach(async () => {
    for (const ns of namespaces.splice(0)) deleteNetns(ns);
    expect(await waitForNoLeftovers()).toEqual([]);
  });
  return (prefix) => {
    const ns = createNetns(prefix);
    namespaces.push(ns);
    return ns;
  };
}

import { describe, expect, it } from "vitest";
import { statusTargetOf } from "../../src/early-start.js";

describe("statusTargetOf: the namespace synq status will read, decided before oclif loads", () => {
  it.each([
    [["status"], { name: "", path: null }],
    [["status", "--json", "--port", "443"], { name: "", path: null }],
    [["status", "--netns", "web", "--json"], { name: "web", path: "/run/netns/web" }],
    [["status", "--netns=web"], { name: "web", path: "/run/netns/web" }],
    [["status", "--netns", "/proc/1/ns/net"], { name: "/proc/1/ns/net", path: "/proc/1/ns/net" }],
  ])("%j → %j", (args, target) => {
    expect(statusTargetOf(args)).toEqual(target);
  });

  it.each([
    [[]],
    [["decode-cookie", "123"]],
    [["trace-drops", "--netns", "web"]],
    [["status", "--help"]],
    [["status", "-h"]],
    [["status", "--all-netns"]],
    [["status", "--netns"]],
    [["status", "--netns="]],
    [["status", "--netns", "a", "--netns", "b"]],
    [["status", "--netns", "cust-*"]],
    [["status", "--netns=web-[12]"]],
    [["status", "--netns", "../etc"]],
    [["status", "--netns", ".."]],
    [["status", "--", "--netns", "x"]],
  ])("%j → nothing started", (args) => {
    expect(statusTargetOf(args)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { isNetnsPattern, netnsGlob } from "../../../src/system/netns-glob.js";

describe("isNetnsPattern: which --netns values are patterns", () => {
  it.each(["cust-*", "cust-?", "web-[12]", "pid:*", "*", "a["])("%j is a pattern", (spec) => {
    expect(isNetnsPattern(spec)).toBe(true);
  });

  it.each(["web", "cust-1", "pid:42", "/proc/1/ns/net", "/run/netns/*", "a\\b", ""])(
    "%j is not",
    (spec) => {
      expect(isNetnsPattern(spec)).toBe(false);
    },
  );
});

describe("netnsGlob: a pattern over one namespace label", () => {
  const labels = [
    "cust-1",
    "cust-10",
    "cust-2",
    "cust-",
    "xcust-1",
    "Cust-1",
    ".cust",
    "pid:42",
    "a.b",
    "axb",
    "a+b",
    "a[b",
    "a*b",
    "]",
    "-",
    "é",
    "line\nbreak",
  ];
  const matching = (pattern: string) => labels.filter((l) => netnsGlob(pattern).test(l));

  it.each([
    ["cust-*", ["cust-1", "cust-10", "cust-2", "cust-"]],
    ["cust-?", ["cust-1", "cust-2"]],
    ["cust-1*", ["cust-1", "cust-10"]],
    ["*cust*", ["cust-1", "cust-10", "cust-2", "cust-", "xcust-1", ".cust"]],
    ["cust-[12]", ["cust-1", "cust-2"]],
    ["cust-[0-9]?", ["cust-10"]],
    ["cust-[!1]", ["cust-2"]],
    ["cust-[^1]", ["cust-2"]],
    ["[Cc]ust-1", ["cust-1", "Cust-1"]],
    ["pid:*", ["pid:42"]],
    ["a.b", ["a.b"]],
    ["a+b", ["a+b"]],
    ["a[b", ["a[b"]],
    ["a[*]b", ["a*b"]],
    ["a[.]b", ["a.b"]],
    ["[]]", ["]"]],
    ["[!]]", ["-", "é"]],
    ["[a-]", ["-"]],
    ["[z-a]", []],
    ["?", ["]", "-", "é"]],
    ["line?break", ["line\nbreak"]],
    ["*", labels],
  ])("%j matches %j", (pattern, expected) => {
    expect(matching(pattern)).toEqual(expected);
  });

  it("matches whole labels only", () => {
    expect(netnsGlob("cust").test("cust-1")).toBe(false);
    expect(netnsGlob("ust-1").test("cust-1")).toBe(false);
  });

  it("leaves RegExp syntax literal", () => {
    for (const p of ["(a)", "a|b", "a{2}", "^a$", "a\\d", "a/b", "[\\]", "[a^]"]) {
      expect(() => netnsGlob(p)).not.toThrow();
    }
    expect(netnsGlob("a|b").test("a")).toBe(false);
    expect(netnsGlob("a\\d").test("a\\d")).toBe(true);
    expect(netnsGlob("[\\]").test("\\")).toBe(true);
    expect(netnsGlob("[a^]").test("^")).toBe(true);
  });
});

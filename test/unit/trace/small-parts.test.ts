import { describe, expect, it } from "vitest";
import { wallClock } from "../../../src/trace/clock.js";
import { PrintLimiter } from "../../../src/trace/rate-limit.js";
import { Resources } from "../../../src/trace/resources.js";
import { chooseInterfaces, parseIpLinkJson } from "../../../src/trace/tc.js";

describe("wall clock", () => {
  it("turns CLOCK_MONOTONIC ns into epoch µs from one pairing", () => {
    const c = wallClock(1_700_000_000_000_000, 5_000_000_000n);
    expect(c.toEpochMicros(5_000_000_000n)).toBe(1_700_000_000_000_000);
    expect(c.toEpochMicros(5_000_250_000n)).toBe(1_700_000_000_000_250);
    expect(c.toEpochMicros(4_000_000_000n)).toBe(1_699_999_999_000_000);
  });
});

describe("--max-events-per-sec", () => {
  it("prints at most N per wall-clock second and counts the rest", () => {
    const l = new PrintLimiter(2);
    const at = [1_000_000, 1_100_000, 1_200_000, 1_900_000, 2_000_000];
    expect(at.map((t) => l.allow(t))).toEqual([true, true, false, false, true]);
    expect(l.suppressed).toBe(2);
    expect(new PrintLimiter(0).allow(1)).toBe(true);
  });
});

describe("Resources", () => {
  it("releases newest first, once, and keeps going past a failure", () => {
    const order: string[] = [];
    const r = new Resources();
    r.add("object", 1, () => order.push("object"));
    r.add("link", 2, () => {
      order.push("link");
      throw new Error("busy");
    });
    r.add("filter", 3, () => order.push("filter"));
    expect(r.held()).toEqual(["object", "link", "filter"]);
    const failures = r.close();
    expect(order).toEqual(["filter", "link", "object"]);
    expect(failures.map((f) => f.what)).toEqual(["link"]);
    expect(r.close()).toEqual([]);
    expect(order).toHaveLength(3);
    expect(() => r.add("late", 4, () => order.push("late"))).toThrow(/after close/);
    expect(order.at(-1)).toBe("late");
  });
});

describe("tc interfaces", () => {
  const links = parseIpLinkJson(
    JSON.stringify([
      { ifindex: 1, ifname: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"] },
      { ifindex: 2, ifname: "eth0", flags: ["BROADCAST", "MULTICAST", "UP"] },
      { ifindex: 3, ifname: "dummy0", flags: ["BROADCAST", "NOARP"] },
    ]),
  );

  it("defaults to every interface that is up, lo included", () => {
    expect(chooseInterfaces(links, []).map((i) => i.name)).toEqual(["lo", "eth0"]);
  });

  it("takes named ones, down or not, and refuses unknown names with the choices", () => {
    expect(chooseInterfaces(links, ["dummy0"]).map((i) => i.ifindex)).toEqual([3]);
    expect(() => chooseInterfaces(links, ["eth9"])).toThrow(/no interface eth9/);
  });
});

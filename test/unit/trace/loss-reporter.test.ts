import { describe, expect, it } from "vitest";
import { lossReporter } from "../../../src/trace/loss-reporter.js";

describe("lossReporter", () => {
  it("says a grown count at most once a second, and at the end at once", () => {
    let now = 5000;
    let lost = 0;
    const said: Array<[number, number]> = [];
    const check = lossReporter(
      () => lost,
      () => now,
      (n, at) => said.push([n, at]),
    );
    check();
    expect(said).toEqual([]); // nothing lost yet
    lost = 3;
    now += 400;
    check();
    expect(said).toEqual([]); // within the second after the last check
    now += 700;
    check();
    expect(said).toEqual([[3, 6100]]);
    now += 2000;
    check();
    expect(said).toHaveLength(1); // the count has not grown
    lost = 9;
    now += 10;
    check(true);
    expect(said).toEqual([
      [3, 6100],
      [9, 8110],
    ]);
  });
});

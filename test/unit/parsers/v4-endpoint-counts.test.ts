import { describe, expect, it } from "vitest";
import { V4EndpointCounts } from "../../../src/parsers/v4-endpoint-counts.js";

/** Every pair with its count, walked slot by slot as the dump parser does. */
function entries(counts: V4EndpointCounts) {
  const { ports, addresses, counts: n } = counts.slots();
  const out: { port: number; address: number; count: number }[] = [];
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i] as number;
    if (port !== -1) out.push({ port, address: addresses[i] as number, count: n[i] as number });
  }
  return out;
}

describe("V4EndpointCounts", () => {
  it("counts like a Map would, through many resizes and colliding keys", () => {
    const counts = new V4EndpointCounts();
    const expected = new Map<string, number>();
    // 5,000 endpoints (negative int32 addresses included) hit 1 to 20 times each, interleaved.
    for (let round = 0; round < 20; round++) {
      for (let e = 0; e < 5000; e++) {
        if (e % 20 < round) continue;
        const port = (e * 7919) & 0xffff;
        const address = (e * 2654435761) | 0;
        counts.add(port, address);
        const key = `${port}|${address}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    }
    const got = new Map(entries(counts).map((e) => [`${e.port}|${e.address}`, e.count]));
    expect(got).toEqual(expected);
  });

  it("keeps port 0 and address 0 apart from empty slots", () => {
    const counts = new V4EndpointCounts();
    counts.add(0, 0);
    counts.add(0, 0);
    expect(entries(counts)).toEqual([{ port: 0, address: 0, count: 2 }]);
  });
});

import { describe, expect, it } from "vitest";
import { formatEndpoint } from "../../../src/parsers/address.js";
import { countSynRecv, SynRecvCounter } from "../../../src/parsers/ss-syn-recv.js";
import { capturesOf } from "../../helpers/fixtures.js";

const asRecord = (text: string) =>
  Object.fromEntries(countSynRecv(text).map((c) => [formatEndpoint(c.local), c.count]));

describe.each(capturesOf("busy"))("countSynRecv on $label", (capture) => {
  it("counts request sockets per local endpoint, v4-mapped ones included", () => {
    expect(asRecord(capture.read("ss-syn-recv.txt"))).toEqual({
      "127.0.0.2:8080": 3,
      "[::ffff:127.0.0.1]:8443": 2,
      "[::1]:8443": 2,
      "[::1]:9443": 3,
      "127.0.0.1:9443": 1,
      "[::1]:9000": 2,
      "[::ffff:127.0.0.1]:7000": 1,
      "127.0.0.1:7443": 4,
    });
  });
});

describe.each([...capturesOf("empty"), ...capturesOf("cookies")])(
  "countSynRecv on $label",
  (capture) => {
    it("finds no request sockets", () => {
      expect(countSynRecv(capture.read("ss-syn-recv.txt"))).toEqual([]);
    });
  },
);

describe("SynRecvCounter", () => {
  it("counts the same whatever the chunk boundaries", () => {
    const [capture] = capturesOf("busy");
    if (!capture) throw new Error("no busy capture");
    const text = capture.read("ss-syn-recv.txt");
    const whole = countSynRecv(text);
    for (const size of [1, 7, 64, 4096]) {
      const c = new SynRecvCounter();
      for (let i = 0; i < text.length; i += size) c.pushChunk(text.slice(i, i + size));
      c.end();
      expect(c.result()).toEqual(whole);
    }
  });

  it("counts the same from raw byte chunks, as a pipe delivers them", () => {
    const [capture] = capturesOf("busy");
    if (!capture) throw new Error("no busy capture");
    const bytes = Buffer.from(capture.read("ss-syn-recv.txt"));
    const whole = countSynRecv(bytes.toString());
    expect(whole.length).toBeGreaterThan(1);
    for (const size of [1, 5, 33, 65536]) {
      const c = new SynRecvCounter();
      for (let i = 0; i < bytes.length; i += size) c.pushChunk(bytes.subarray(i, i + size));
      c.end();
      expect(c.result()).toEqual(whole);
    }
  });

  it("counts a last line without a newline", () => {
    const c = new SynRecvCounter();
    c.pushChunk("0 0 10.0.0.1:80 10.0.0.9:1\n0 0 10.0.0.1:80 10.0.0.9:2");
    c.end();
    expect(c.result()[0]?.count).toBe(2);
  });

  it("tolerates tabs, extra columns and blank lines", () => {
    const c = new SynRecvCounter();
    for (const l of ["0\t0\t10.0.0.1:80\t10.0.0.9:1234", "", "0 0 10.0.0.1:80 10.0.0.8:1 extra:1"])
      c.push(l);
    expect(c.result()).toEqual([
      { local: { address: "10.0.0.1", port: 80, device: null, family: "inet" }, count: 2 },
    ]);
  });

  it("names the source and line of a short line", () => {
    const c = new SynRecvCounter("ss-x");
    c.push("0 0 10.0.0.1:80 10.0.0.2:5");
    expect(() => c.push("0 0 10.0.0.1:80")).toThrow(/ss-x line 2/);
  });

  it("names the line of a bad address", () => {
    expect(() => countSynRecv("0 0 1.1.1.1:80 2.2.2.2:1\n0 0 zzz 2.2.2.2:2\n", "ss-y")).toThrow(
      /ss-y line 2 .*bad local address zzz/,
    );
  });
});

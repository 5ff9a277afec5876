import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { outputWritten } from "../../../src/system/output-written.js";

/** A stream whose writes complete when `flush()` is called, as a slow pipe reader makes them. */
function slowPipe(highWaterMark: number) {
  const pending: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark,
    write(_chunk, _encoding, done) {
      pending.push(done);
    },
  });
  const flush = () => {
    for (const done of pending.splice(0)) done();
  };
  return { stream, flush };
}

describe("outputWritten", () => {
  it("resolves at once when nothing is pending", async () => {
    const { stream } = slowPipe(1024);
    await expect(outputWritten(stream)).resolves.toBeUndefined();
  });

  it("waits for output below the high-water mark, which never emits 'drain'", async () => {
    const { stream, flush } = slowPipe(1024);
    expect(stream.write("a short line\n")).toBe(true); // no 'drain' will follow
    let done = false;
    const waiting = outputWritten(stream, 1).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    setTimeout(flush, 10);
    await waiting;
    expect(stream.writableLength).toBe(0);
  });

  it("waits for output over the high-water mark, and for a destroyed stream not at all", async () => {
    const { stream, flush } = slowPipe(4);
    expect(stream.write("more than four bytes")).toBe(false);
    setTimeout(flush, 10);
    await outputWritten(stream, 1);
    expect(stream.writableLength).toBe(0);
    const gone = slowPipe(4);
    gone.stream.write("pending");
    gone.stream.destroy();
    await expect(outputWritten(gone.stream)).resolves.toBeUndefined();
  });
});

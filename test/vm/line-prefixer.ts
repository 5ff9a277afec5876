import { Writable } from "node:stream";

/** A stream that writes each complete line to `target` with `prefix` in front. */
export class LinePrefixer extends Writable {
  private partial = "";

  constructor(
    private readonly prefix: string,
    private readonly target: NodeJS.WritableStream,
  ) {
    super();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    const lines = (this.partial + chunk.toString()).split("\n");
    this.partial = lines.pop() ?? "";
    if (lines.length > 0)
      this.target.write(lines.map((line) => `${this.prefix}${line}\n`).join(""));
    done();
  }

  override _final(done: (error?: Error | null) => void): void {
    if (this.partial !== "") this.target.write(`${this.prefix}${this.partial}\n`);
    this.partial = "";
    done();
  }
}

/** Arrays longer than this are written this many elements at a time. */
const LARGE_ARRAY = 64;
/** Bytes are handed on in pieces of at most this size: the default capacity of a Linux pipe. */
export const PIECE_BYTES = 64 * 1024;

/**
 * Takes one piece of UTF-8 text. Returns true when it is done with the bytes (written
 * synchronously), so their buffer can be filled again; false when it keeps them (queued).
 */
export type WritePiece = (bytes: Uint8Array) => boolean;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What JSON.stringify leaves out of objects (and writes as null in arrays). */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/**
 * Fills one buffer with text and hands it on when full. The same buffer is filled again while
 * the writer is done with it: fresh memory is what costs most here (10,000 listeners are megabytes
 * of JSON, and every new page is a fault), not encoding.
 */
class PieceWriter {
  private buffer = Buffer.allocUnsafe(PIECE_BYTES);
  private used = 0;

  constructor(private readonly write: WritePiece) {}

  add(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; count exactly only when that bound is too big.
    if (this.used + text.length * 3 > PIECE_BYTES) {
      const bytes = Buffer.byteLength(text);
      if (this.used + bytes > PIECE_BYTES) this.flush();
      if (bytes > PIECE_BYTES) {
        this.write(Buffer.from(text));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
  }

  flush(): void {
    if (this.used === 0) return;
    if (!this.write(this.buffer.subarray(0, this.used)))
      this.buffer = Buffer.allocUnsafe(PIECE_BYTES);
    this.used = 0;
  }
}

/**
 * Writes the text of JSON.stringify(value) (compact, UTF-8) in pieces of at most 64 KiB, never
 * as one string. Large arrays are written a slice of elements at a time; everything else as
 * JSON.stringify writes it.
 */
export function writeJsonText(value: unknown, write: WritePiece): void {
  const out = new PieceWriter(write);
  const visit = (v: unknown): void => {
    if (Array.isArray(v) && v.length > LARGE_ARRAY) {
      // A slice at a time: a few hundred calls of JSON.stringify, not one per element.
      out.add("[");
      for (let i = 0; i < v.length; i += LARGE_ARRAY) {
        const part = JSON.stringify(v.slice(i, i + LARGE_ARRAY));
        if (i > 0) out.add(",");
        out.add(part.slice(1, -1));
      }
      out.add("]");
    } else if (Array.isArray(v)) {
      out.add("[");
      for (let i = 0; i < v.length; i++) {
        const element: unknown = v[i]; // holes read as undefined: null, as JSON.stringify writes
        if (i > 0) out.add(",");
        if (isOmitted(element)) out.add("null");
        else visit(element);
      }
      out.add("]");
    } else if (isPlainObject(v) && typeof v.toJSON !== "function") {
      out.add("{");
      let first = true;
      for (const key of Object.keys(v)) {
        const field = v[key];
        if (isOmitted(field)) continue;
        out.add(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
        first = false;
        visit(field);
      }
      out.add("}");
    } else {
      out.add(JSON.stringify(v) ?? "null");
    }
  };
  visit(value);
  out.flush();
}

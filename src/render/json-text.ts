/** Arrays longer than this are written element by element. */
const LARGE_ARRAY = 64;
/** Text is handed on in pieces of about this many characters. */
const PIECE = 64 * 1024;

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
 * Writes the text of JSON.stringify(value) (compact) in pieces of ~64 KiB, never as one string:
 * 10,000 listeners are megabytes of JSON, and building and then encoding one string that size
 * costs tens of milliseconds more than writing it piece by piece. Large arrays are written one
 * element at a time; everything else as JSON.stringify writes it.
 */
export function writeJsonText(value: unknown, write: (piece: string) => void): void {
  let pending = "";
  const emit = (text: string) => {
    pending += text;
    if (pending.length >= PIECE) {
      write(pending);
      pending = "";
    }
  };
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      const large = v.length > LARGE_ARRAY;
      emit("[");
      for (let i = 0; i < v.length; i++) {
        const element: unknown = v[i]; // holes read as undefined: null, as JSON.stringify writes
        if (i > 0) emit(",");
        if (isOmitted(element)) emit("null");
        else if (large) emit(JSON.stringify(element));
        else visit(element);
      }
      emit("]");
    } else if (isPlainObject(v) && typeof v.toJSON !== "function") {
      emit("{");
      let first = true;
      for (const key of Object.keys(v)) {
        const field = v[key];
        if (isOmitted(field)) continue;
        emit(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
        first = false;
        visit(field);
      }
      emit("}");
    } else {
      emit(JSON.stringify(v) ?? "null");
    }
  };
  visit(value);
  if (pending) write(pending);
}

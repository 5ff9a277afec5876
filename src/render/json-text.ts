/** Arrays longer than this are written this many elements at a time. */
const LARGE_ARRAY = 256;
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
 * costs tens of milliseconds more than writing it piece by piece. Large arrays are written a
 * slice of elements at a time; everything else as JSON.stringify writes it.
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
    if (Array.isArray(v) && v.length > LARGE_ARRAY) {
      // A slice at a time: a few dozen calls of JSON.stringify, not one per element.
      emit("[");
      for (let i = 0; i < v.length; i += LARGE_ARRAY) {
        const part = JSON.stringify(v.slice(i, i + LARGE_ARRAY));
        emit(i > 0 ? `,${part.slice(1, -1)}` : part.slice(1, -1));
      }
      emit("]");
    } else if (Array.isArray(v)) {
      emit("[");
      for (let i = 0; i < v.length; i++) {
        const element: unknown = v[i]; // holes read as undefined: null, as JSON.stringify writes
        if (i > 0) emit(",");
        if (isOmitted(element)) emit("null");
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

/**
 * The one place where everything the tracer creates is released: each acquisition pushes its
 * release; `close()` runs them in reverse order, once, and keeps going when one fails, so an
 * error while removing a tc filter does not leave the BPF links and maps behind.
 */

/** A release that failed during close(). */
export interface ReleaseFailure {
  what: string;
  error: unknown;
}

/** A stack of releases; `close()` is idempotent. */
export class Resources {
  private stack: { what: string; release: () => void }[] = [];
  private closed = false;

  /** Registers `release` for something just acquired; returns `value` for chaining. */
  add<T>(what: string, value: T, release: (value: T) => void): T {
    if (this.closed) {
      release(value);
      throw new Error(`resource ${what} acquired after close()`);
    }
    this.stack.push({ what, release: () => release(value) });
    return value;
  }

  /** Names of what is held, oldest first (for --verbose and tests). */
  held(): string[] {
    return this.stack.map((r) => r.what);
  }

  /** Releases everything, newest first; returns what failed (empty when all went well). */
  close(): ReleaseFailure[] {
    const failures: ReleaseFailure[] = [];
    this.closed = true;
    while (this.stack.length > 0) {
      const r = this.stack.pop() as { what: string; release: () => void };
      try {
        r.release();
      } catch (error) {
        failures.push({ what: r.what, error });
      }
    }
    return failures;
  }
}

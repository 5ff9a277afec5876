/**
 * Waiting until a stream has handed everything written to it to the OS (or is gone), before
 * the process exits. It polls writableLength instead of waiting for 'drain': 'drain' follows
 * only a write() that returned false, so output still pending after writes below the
 * high-water mark (a slow pipe reader) would leave the wait pending with nothing else in the
 * event loop, and Node would exit with 13 (unsettled top-level await) instead of synq's code.
 */

/** What is read of a stream: process.stdout and process.stderr. */
export interface PendingOutput {
  readonly writableLength: number;
  readonly destroyed: boolean;
}

/** Resolves once `stream` has nothing left to write, or is destroyed (closed, failed). */
export function outputWritten(stream: PendingOutput, pollMs = 5): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (stream.writableLength === 0 || stream.destroyed) resolve();
      else setTimeout(check, pollMs);
    };
    check();
  });
}

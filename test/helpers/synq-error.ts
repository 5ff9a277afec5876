import { SynqError } from "../../src/errors.js";

/** The SynqError `fn` throws; fails the test if it throws anything else or nothing. */
export function errorOf(fn: () => unknown): SynqError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SynqError) return err;
    throw err;
  }
  throw new Error("expected a SynqError");
}

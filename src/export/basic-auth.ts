/**
 * HTTP basic authentication against the bcrypt hashes of a web config, as exporter-toolkit
 * does it: an unknown user costs a comparison like a known one (no timing hint of who exists),
 * and passwords that matched are remembered (by a SHA-256 digest, never in clear) so a scrape
 * every few seconds does not pay ~90 ms of bcrypt each time. bcryptjs's compare works in slices
 * between which other requests run.
 */
import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";

/** A bcrypt hash of a random password nobody kept: what unknown users are compared against. */
const NOBODY_HASH = "$2b$10$zGtmltXjoNzx3SGfGPtwqutBhq2TG9nwAxvN3dJsQJZquaRzp35o6";

/** How many verified user/password pairs are remembered (exporter-toolkit keeps 100 too). */
const REMEMBERED = 100;

/** The user and password of an `Authorization: Basic …` header, or null for anything else. */
export function basicCredentials(
  header: string | undefined,
): { user: string; password: string } | null {
  if (header === undefined) return null;
  const m = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Checks requests' credentials against `users` (user → bcrypt hash). */
export class BasicAuth {
  private readonly verified = new Set<string>();

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  /** The WWW-Authenticate header a refusal carries. */
  readonly challenge = 'Basic realm="synq", charset="UTF-8"';

  /** Whether the Authorization header names a configured user with the right password. */
  async allows(header: string | undefined): Promise<boolean> {
    const credentials = basicCredentials(header);
    if (credentials === null) return false;
    const { user, password } = credentials;
    const hash = this.users.get(user);
    const digest = createHash("sha256")
      .update(`${user}\0${password}\0${hash ?? ""}`)
      .digest("base64");
    if (hash !== undefined && this.verified.has(digest)) return true;
    const matches = await bcrypt.compare(password, hash ?? NOBODY_HASH);
    if (!matches || hash === undefined) return false;
    if (this.verified.size >= REMEMBERED) {
      const oldest = this.verified.values().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.add(digest);
    return true;
  }
}

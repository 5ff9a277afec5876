// The package's changelog (Debian format): packaging/debian/changelog, whose newest entry is
// the release's. A build under another version (a test's upgrade) gets an entry of its own.

/** The version of a Debian changelog's newest entry. */
export function newestVersion(changelog: string): string | null {
  return /^\S+ \(([^)]+)\)/.exec(changelog)?.[1] ?? null;
}

/** RFC 2822 date of a changelog trailer line, e.g. "Sun, 06 Dec 2026 21:00:00 +0000". */
function trailerDate(epoch: number): string {
  return new Date(epoch * 1000).toUTCString().replace("GMT", "+0000");
}

/** The changelog to ship for `version`. */
export function debianChangelog(
  changelog: string,
  version: string,
  maintainer: string,
  epoch: number,
): string {
  if (newestVersion(changelog) === version) return changelog;
  return [
    `synq (${version}) unstable; urgency=medium`,
    "",
    `  * Rebuilt as ${version}.`,
    "",
    ` -- ${maintainer}  ${trailerDate(epoch)}`,
    "",
    changelog,
  ].join("\n");
}

/**
 * The single executable on Debian 11 as it comes (debootstrap --variant=minbase bullseye, with
 * iproute2; no Node.js, glibc 2.31, libstdc++ of GCC 10), run directly, checked against ss and
 * the kernel's counters inside the root's own network namespace. (The .deb depends on
 * libc6 >= 2.34, as dpkg-shlibdeps finds: it is for Debian 12 and later.)
 */
import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DebianRoot, dpkgField, openDebianRoot } from "../helpers/debian-root.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import {
  RELEASE,
  releaseBuilt,
  SOCKETS,
  socketsHelper,
  synqChecks,
} from "../helpers/release-checks.js";

const tools = ["debootstrap", "gcc", "ip", "unshare"];
const skip = missing(
  isRoot && tools.every(hasTool) && releaseBuilt,
  `root, ${tools.join(", ")} and the release artifacts (npm run release)`,
);
// Not beside a lib/synq (/opt/../lib/synq is the .deb's /usr/lib/synq on a merged /usr): run
// as a downloaded file is, the executable extracts its native pieces.
const SINGLE_IN_ROOT = `/root/release/${basename(RELEASE.executable)}`;

describe.skipIf(skip)("Debian 11 minbase without Node.js", () => {
  let root: DebianRoot;

  beforeAll(() => {
    root = openDebianRoot("bullseye", "synqdeb11");
    root.copyIn(socketsHelper(), SOCKETS);
    root.copyIn(RELEASE.executable, SINGLE_IN_ROOT);
    expect(root.run(["chmod", "755", SOCKETS, SINGLE_IN_ROOT]).status).toBe(0);
  }, 20 * 60_000);
  afterAll(() => root?.close());

  it("has no Node.js and glibc 2.31", () => {
    expect(root.sh("command -v node || command -v nodejs").status).not.toBe(0);
    expect(dpkgField(root, "libc6", "Version")).toMatch(/^2\.31-/);
  });

  describe("the single executable run directly", () => {
    synqChecks(() => root, SINGLE_IN_ROOT, 8300);
  });
});

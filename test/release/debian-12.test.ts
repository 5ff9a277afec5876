/**
 * The release on Debian 12 as it comes (debootstrap --variant=minbase bookworm, with iproute2,
 * man-db and bash-completion; no Node.js): the .deb installed with apt-get and the single
 * executable run directly, each checked against ss and the kernel's counters inside the
 * root's own network namespace; the man page, the bash completion, test/cli against the
 * installed synq, an upgrade and a purge.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import TraceDrops from "../../src/commands/trace-drops.js";
import { COMMANDS } from "../../src/index.js";
import {
  chrootWrapper,
  type DebianRoot,
  dpkgField,
  openDebianRoot,
} from "../helpers/debian-root.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import {
  commandFlags,
  RELEASE,
  releaseBuilt,
  SOCKETS,
  socketsHelper,
  synqChecks,
} from "../helpers/release-checks.js";
import { startInTmux } from "../helpers/tmux.js";

const CLONE = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const tools = ["debootstrap", "gcc", "ip", "dpkg-deb", "unshare", "tmux"];
const skip = missing(
  isRoot && tools.every(hasTool) && releaseBuilt,
  `root, ${tools.join(", ")} and the release artifacts (npm run release)`,
);

const DEB_IN_ROOT = `/tmp/${basename(RELEASE.deb)}`;
// Not beside a lib/synq (/opt/../lib/synq is the .deb's /usr/lib/synq on a merged /usr): run
// as a downloaded file is, the executable extracts its native pieces.
const SINGLE_IN_ROOT = `/root/release/${basename(RELEASE.executable)}`;
const UNIT = "synq-export.service";

describe.skipIf(skip)("Debian 12 minbase without Node.js", () => {
  let root: DebianRoot;
  let packageFiles: string[] = [];

  beforeAll(() => {
    root = openDebianRoot("bookworm", "synqdeb12");
    root.copyIn(socketsHelper(), SOCKETS);
    root.copyIn(RELEASE.deb, DEB_IN_ROOT);
    root.copyIn(RELEASE.executable, SINGLE_IN_ROOT);
    expect(root.run(["chmod", "755", SOCKETS, SINGLE_IN_ROOT]).status).toBe(0);
  }, 20 * 60_000);
  afterAll(() => root?.close());

  it("has no Node.js", () => {
    expect(root.sh("command -v node || command -v nodejs").status).not.toBe(0);
    expect(root.sh("ls /usr/lib/node_modules /usr/share/nodejs").status).not.toBe(0);
  });

  it(
    "apt-get install ./synq_….deb installs it, its dependencies already in Debian's base",
    () => {
      const r = root.run(["apt-get", "install", "-y", "--no-install-recommends", DEB_IN_ROOT], {
        env: { DEBIAN_FRONTEND: "noninteractive" },
        timeoutMs: 300_000,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(dpkgField(root, "synq", "Status")).toBe("install ok installed");
      // Every dependency is a Debian package apt resolved and dpkg considers satisfied.
      const depends = dpkgField(root, "synq", "Depends");
      for (const dep of depends.split(", ")) {
        const name = dep.split(" ")[0] as string;
        expect(dpkgField(root, name, "Status")).toBe("install ok installed");
      }
      packageFiles = root
        .run(["dpkg-query", "-L", "synq"])
        .stdout.trim()
        .split("\n")
        .filter((p) => p !== "/." && p !== "");
      expect(packageFiles).toContain("/usr/bin/synq");
    },
    10 * 60_000,
  );

  it("installs the exporter's unit without enabling or starting it", () => {
    expect(root.sh(`test -f /lib/systemd/system/${UNIT}`).status).toBe(0);
    expect(root.sh(`ls /etc/systemd/system/*.wants/${UNIT}`).status).not.toBe(0);
    expect(root.run(["deb-systemd-helper", "debian-installed", UNIT]).status).not.toBe(0);
    expect(dpkgField(root, "synq", "Conffiles")).toMatch(
      /^ \/etc\/synq\/web-config\.yml [0-9a-f]{32}$/,
    );
  });

  describe("/usr/bin/synq from the .deb", () => {
    synqChecks(() => root, "/usr/bin/synq", 8100);

    it("loaded its native pieces from /usr/lib/synq: nothing was extracted", () => {
      const r = root.sh("ls -d /root/.cache/synq /tmp/synq-* 2>/dev/null; true");
      expect(r.stdout).toBe("");
    });
  });

  describe("the single executable run directly", () => {
    synqChecks(() => root, SINGLE_IN_ROOT, 8200);

    it("draws synq watch with Debian's terminfo entry of xterm-256color, and q ends it", async () => {
      const env = { TERM: "xterm-256color" };
      const pane = startInTmux(root.argvFor([SINGLE_IN_ROOT, "watch", "--no-trace"], env), { env });
      try {
        // The root's namespace may have no listener: the panels drawn are what is checked.
        const screen = await pane.waitFor((s) => s.includes("Findings ("), "the dashboard");
        expect(screen).toMatch(/Listeners .*\(sort: problems\)/);
        expect(screen).toMatch(/Drop log/);
        pane.keys("q");
        await pane.waitFor((s) => /synq-exit=\d+/.test(s), "synq to exit");
        expect(pane.exitCode(), pane.screen()).toBe(0);
      } finally {
        pane.kill();
      }
    });
  });

  it("man synq renders every command's flags", () => {
    const r = root.run(["man", "synq"], { env: { MANWIDTH: "160", MANPAGER: "cat" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const text = r.stdout;
    for (const { id, flags } of commandFlags()) {
      expect(text).toContain(`synq ${id}`);
      // Each command's section holds each of its flags.
      const section = text.slice(text.indexOf(`   synq ${id}\n`));
      expect(section.length, `no section for ${id}`).toBeLessThan(text.length);
      for (const flag of flags)
        expect(section, `${id} --${flag}`).toMatch(new RegExp(`--(\\[no-\\])?${flag}\\b`));
    }
  });

  describe("bash completion", () => {
    const complete = (line: string): string[] => {
      const script = `source /usr/share/bash-completion/bash_completion
COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}
read -ra COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
_completion_loader synq
fn=$(complete -p synq | sed -E 's/.*-F ([^ ]+) .*/\\1/')
"$fn" synq "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = root.run(["bash", "-c", script, "bash", line]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split("\n").filter((w) => w !== "");
    };

    it("commands: synq st<TAB> → status", () => {
      expect(complete("synq st")).toEqual(["status"]);
      expect(complete("synq ").sort()).toEqual(
        [...Object.keys(COMMANDS), "--help", "--version"].sort(),
      );
    });

    it("flags: synq trace-drops --str<TAB> → --strategy; --no-color for status", () => {
      expect(complete("synq trace-drops --str")).toEqual(["--strategy"]);
      expect(complete("synq status --no-c")).toEqual(["--no-color"]);
      const all = complete("synq status --");
      for (const flag of commandFlags().find((c) => c.id === "status")?.flags ?? []) {
        expect(all).toContain(`--${flag}`);
      }
    });

    it("values: synq trace-drops --strategy <TAB> → the strategies", () => {
      expect(complete("synq trace-drops --strategy ")).toEqual(TraceDrops.flags.strategy.options);
      expect(complete("synq trace-drops --tc-hook t")).toEqual(["tcx"]);
      expect(complete("synq trace-drops --reason syn")).toEqual(["syn-queue-full"]);
    });
  });

  it(
    "test/cli passes against the installed synq, run in the root through a chroot wrapper",
    () => {
      const wrapper = chrootWrapper(root, "/usr/bin/synq", CLONE);
      const vitest = join(CLONE, "node_modules/vitest/vitest.mjs");
      const r = spawnSync(process.execPath, [vitest, "run", "test/cli"], {
        cwd: CLONE,
        encoding: "utf8",
        env: { ...process.env, SYNQ_BIN: wrapper, CI: process.env.CI ?? "", NO_COLOR: "1" },
        timeout: 15 * 60_000,
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`.slice(-6000)).toBe(0);
      const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
      expect(r.stdout.replaceAll(ansi, "")).toMatch(/Test Files +\d+ passed \(\d+\)/);
    },
    20 * 60_000,
  );

  it(
    "an upgrade keeps a changed conffile and restarts a running exporter",
    () => {
      // systemd does not run in the root: the marker directory makes the maintainer scripts
      // act, and a systemctl where systemd puts it (apt runs them with PATH /usr/sbin:/usr/bin:
      // /sbin:/bin) records what they and deb-systemd-invoke ask of it.
      root.sh(`mkdir -p /run/systemd/system
printf '#!/bin/sh\\necho "$*" >>/tmp/systemctl.log\\n' >/usr/bin/systemctl
chmod 755 /usr/bin/systemctl`);
      root.sh("echo '# changed by the admin' >>/etc/synq/web-config.yml");
      const upgrade = rebuildAs(RELEASE.deb, `${RELEASE.version}+upgrade1`);
      root.copyIn(upgrade, "/tmp/synq-upgrade.deb");
      const r = root.run(["apt-get", "install", "-y", "/tmp/synq-upgrade.deb"], {
        env: { DEBIAN_FRONTEND: "noninteractive" },
        timeoutMs: 300_000,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(dpkgField(root, "synq", "Version")).toBe(`${RELEASE.version}+upgrade1`);
      expect(readFileSync(join(root.dir, "etc/synq/web-config.yml"), "utf8")).toContain(
        "# changed by the admin",
      );
      const calls = readFileSync(join(root.dir, "tmp/systemctl.log"), "utf8");
      expect(calls).toContain("--system daemon-reload");
      expect(calls).toContain(`try-restart ${UNIT}`);
      expect(calls).not.toMatch(/\b(start|enable) /);
    },
    10 * 60_000,
  );

  it(
    "apt-get remove --purge synq leaves no file of the package behind",
    () => {
      const r = root.run(["apt-get", "remove", "--purge", "-y", "synq"], {
        env: { DEBIAN_FRONTEND: "noninteractive" },
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(join(root.dir, "tmp/systemctl.log"), "utf8")).toContain(`stop ${UNIT}`);
      const left = packageFiles.filter(
        (p) => root.sh(`test -e '${p}' || test -L '${p}'`).status === 0,
      );
      // Directories other packages own too (/usr/bin, /etc…) stay; nothing of synq's does.
      const shared = new Set(
        root
          .run(["sh", "-c", "cat /var/lib/dpkg/info/*.list"])
          .stdout.split("\n")
          .filter((p) => p !== ""),
      );
      expect(left.filter((p) => !shared.has(p))).toEqual([]);
      const found = root.sh(
        // Not the root's own marker (scripts/debootstrap-root.sh) or what the tests put in.
        "find / -xdev \\( -path /proc -o -path /sys -o -path /tmp -o -path /opt -o -path /usr/local/bin -o -path /.synq-root-complete -o -path /root/release -o -path /root/.cache/synq \\) -prune -o -name '*synq*' -print",
      );
      expect(
        found.stdout
          .trim()
          .split("\n")
          .filter((p) => p !== ""),
      ).toEqual([]);
    },
    10 * 60_000,
  );
});

/** The .deb with another version: the same files, to install as an upgrade. */
function rebuildAs(deb: string, version: string): string {
  const dir = mkdtempSync(join(tmpdir(), "synq-upgrade-"));
  const tree = join(dir, "tree");
  execFileSync("dpkg-deb", ["-R", deb, tree]);
  const control = join(tree, "DEBIAN/control");
  const text = readFileSync(control, "utf8").replace(/^Version: .*$/m, `Version: ${version}`);
  execFileSync("sh", ["-c", 'cat >"$1"', "sh", control], { input: text });
  const out = join(dir, `synq_${version}_amd64.deb`);
  // Fast compression: only its contents matter here.
  execFileSync("dpkg-deb", ["--root-owner-group", "-Zgzip", "-z1", "-b", tree, out], {
    stdio: "ignore",
  });
  return out;
}

/**
 * The single executable of `npm run release` (release/synq-<version>-linux-x64), run as a user
 * runs it: without Node.js, finding its native pieces in a private cache it makes (0700, the
 * user's own, named by the pieces' digest) or in an installed lib directory, refusing a cache
 * another user could write to, and printing what bin/run.js prints.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import bcrypt from "bcryptjs";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startExport } from "../helpers/export-server.js";
import { capturesOf, FIXTURES } from "../helpers/fixtures.js";
import { createNetns, deleteNetns, startScenario } from "../helpers/netns.js";
import { expectOneLineErrorBothWays } from "../helpers/one-line-error.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import type { SynqRun } from "../helpers/run-synq.js";
import { startInTmux } from "../helpers/tmux.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
const EXECUTABLE = join(ROOT, "release", `synq-${VERSION}-linux-x64`);
const LIB = join(ROOT, "release", "lib");
const PIECES = ["acceptq.bpf.o", "koffi.node", "libbpf.so.1", "syncookie.bpf.o"];
const BIN_RUN = join(ROOT, "bin", "run.js");

const tools = ["unshare", "strace", "tmux", "ip"];
const skip = missing(
  existsSync(EXECUTABLE) && isRoot && tools.every(hasTool),
  `root, ${tools.join(", ")} and ${EXECUTABLE} (npm run release)`,
);

const scratch = mkdtempSync(join(tmpdir(), "synq-release-"));
chmodSync(scratch, 0o755); // other users (nobody, below) must reach their directories
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
function freshDir(mode = 0o700): string {
  const dir = join(scratch, `d${++dirs}`);
  mkdirSync(dir, { mode });
  chmodSync(dir, mode);
  return dir;
}

/** The environment of a run: no Node's variables, no cache unless given. */
function baseEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: "/usr/bin:/bin", NO_COLOR: "1", TMPDIR: freshDir(), ...extra };
}

function run(argv: string[], env: NodeJS.ProcessEnv = {}, wrapper: string[] = []): SynqRun {
  const [cmd, ...rest] = [...wrapper, ...argv] as [string, ...string[]];
  const r = spawnSync(cmd, rest, {
    encoding: "utf8",
    env: baseEnv(env),
    timeout: 60_000,
    maxBuffer: 1 << 28,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sea = (args: string[], env: NodeJS.ProcessEnv = {}) => run([EXECUTABLE, ...args], env);
const npm = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run([process.execPath, BIN_RUN, ...args], env);

/** The cache key the executable uses: sha256 of each piece's name, length and bytes. */
function piecesDigest(): string {
  const digest = createHash("sha256");
  for (const file of PIECES) {
    const bytes = readFileSync(join(LIB, file));
    digest.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return digest.digest("hex").slice(0, 32);
}

/** The capture of a busy host, read through fixtures' stand-in for ss: the same every run. */
function fixtureEnv(): NodeJS.ProcessEnv {
  const [busy] = capturesOf("busy");
  if (!busy) throw new Error("no busy capture in fixtures/");
  return {
    SYNQ_SOCKETS: "ss",
    PATH: `${join(FIXTURES, "bin")}:/usr/bin:/bin`,
    SYNQ_FAKE_SS_DIR: busy.dir,
    SYNQ_PROC_ROOT: join(busy.dir, "proc"),
  };
}

function withoutTime(json: string): unknown {
  const report = JSON.parse(json) as { generatedAt?: string };
  delete report.generatedAt;
  return report;
}

describe.skipIf(skip)("the single executable", () => {
  it("runs where no Node.js can be found", () => {
    // A mount namespace where every node binary on the host is /dev/null.
    const hide =
      'for n in node nodejs; do p=$(command -v "$n") && mount --bind /dev/null "$p"; done';
    const wrapper = ["unshare", "--mount", "--propagation", "private", "sh", "-c"];
    const noNode = run([...wrapper, `${hide}; node -e 0 2>/dev/null && echo found-node`]);
    expect(noNode.stdout).toBe("");
    const script = `${hide}; exec env -i PATH=/usr/bin:/bin TMPDIR="$TMPDIR" "$0" "$@"`;
    const decoded = run([...wrapper, script, EXECUTABLE, "decode-cookie", "0xa3242733"]);
    expect(decoded.stderr).toBe("");
    expect(decoded.status).toBe(0);
    expect(decoded.stdout).toBe(npm(["decode-cookie", "0xa3242733"]).stdout);
    const status = run([...wrapper, script, EXECUTABLE, "status", "--json"]);
    expect(status.stderr).toBe("");
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout).schemaVersion).toBe(1);
  });

  it("extracts its native pieces into <TMPDIR>/synq-<uid>/<digest>, 0700 and the user's own", () => {
    const tmp = freshDir();
    const r = sea(["status", "--json"], { TMPDIR: tmp });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const base = join(tmp, `synq-${process.getuid?.()}`);
    expect(statSync(base).mode & 0o7777).toBe(0o700);
    expect(readdirSync(base)).toEqual([piecesDigest()]);
    const dir = join(base, piecesDigest());
    const stats = statSync(dir);
    expect([stats.uid, stats.mode & 0o7777]).toEqual([process.getuid?.(), 0o700]);
    expect(readdirSync(dir).sort()).toEqual(PIECES);
    for (const file of PIECES) {
      expect(readFileSync(join(dir, file)).equals(readFileSync(join(LIB, file))), file).toBe(true);
      expect(statSync(join(dir, file)).mode & 0o077, file).toBe(0);
    }
    // A second run uses what is there; pieces removed behind its back are extracted again.
    rmSync(join(dir, "koffi.node"));
    expect(sea(["status", "--json"], { TMPDIR: tmp }).status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(PIECES);
  });

  it("extracts into SYNQ_CACHE_DIR when set, made 0700 with its missing parents", () => {
    const cache = join(freshDir(), "a", "b");
    expect(sea(["status", "--json"], { SYNQ_CACHE_DIR: cache }).status).toBe(0);
    expect(statSync(join(cache, "..")).mode & 0o7777).toBe(0o700);
    expect(statSync(cache).mode & 0o7777).toBe(0o700);
    expect(readdirSync(join(cache, piecesDigest())).sort()).toEqual(PIECES);
  });

  it("refuses a cache directory another user owns, one open to others, and a symlink", () => {
    const foreign = freshDir();
    chownSync(foreign, 65534, 65534);
    const open = freshDir(0o755);
    const link = join(freshDir(), "link");
    symlinkSync(freshDir(), link);
    for (const [dir, reason] of [
      [foreign, /is owned by uid 65534, not 0/],
      [open, /has mode 0755, not 0700/],
      [link, /is a symbolic link/],
    ] as const) {
      expectOneLineErrorBothWays(
        (args) => sea(args, { SYNQ_CACHE_DIR: dir }),
        ["status"],
        5,
        new RegExp(`the cache directory ${dir} ${reason.source}; set SYNQ_CACHE_DIR`),
      );
    }
  });

  it("refuses a cache under a directory another user may write to, unless it is sticky", () => {
    const parent = freshDir(0o777);
    chownSync(parent, 65534, 65534);
    expectOneLineErrorBothWays(
      (args) => sea(args, { SYNQ_CACHE_DIR: join(parent, "cache") }),
      ["status"],
      5,
      new RegExp(`${parent}, above the cache directory, is owned by uid 65534; set SYNQ_CACHE_DIR`),
    );
    const shared = freshDir(0o777); // root's, yet anyone may rename what is in it
    expectOneLineErrorBothWays(
      (args) => sea(args, { SYNQ_CACHE_DIR: join(shared, "cache") }),
      ["status"],
      5,
      /above the cache directory, is writable by other users and not sticky/,
    );
    expect(existsSync(join(parent, "cache"))).toBe(false);
    // As /tmp: root's, sticky, world-writable.
    const sticky = freshDir(0o1777);
    expect(sea(["status", "--json"], { SYNQ_CACHE_DIR: join(sticky, "cache") }).status).toBe(0);
  });

  it("as another user, makes that user's own cache", () => {
    const tmp = freshDir(0o1777);
    const r = run(
      ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", EXECUTABLE, "status"],
      { TMPDIR: tmp, HOME: "/nonexistent" },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const stats = statSync(join(tmp, "synq-65534", piecesDigest()));
    expect([stats.uid, stats.mode & 0o7777]).toEqual([65534, 0o700]);
  });

  it("loads the pieces of ../lib/synq beside its real path and extracts nothing", () => {
    // As a package installs it: <prefix>/bin/synq and <prefix>/lib/synq/, reached by a symlink.
    const prefix = freshDir(0o755);
    mkdirSync(join(prefix, "bin"));
    mkdirSync(join(prefix, "lib", "synq"), { recursive: true });
    copyFileSync(EXECUTABLE, join(prefix, "bin", "synq"));
    chmodSync(join(prefix, "bin", "synq"), 0o755);
    for (const file of PIECES) copyFileSync(join(LIB, file), join(prefix, "lib", "synq", file));
    const elsewhere = join(freshDir(), "synq");
    symlinkSync(join(prefix, "bin", "synq"), elsewhere);
    const tmp = freshDir();
    const log = join(freshDir(), "strace.log");
    const r = run(
      ["strace", "-f", "-qq", "-e", "trace=openat", "-o", log, elsewhere, "status", "--json"],
      { TMPDIR: tmp },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    const opened = readFileSync(log, "utf8");
    // (its result may come on a later line, "<unfinished ...>", while other threads run)
    expect(opened).toContain(`"${join(prefix, "lib", "synq", "koffi.node")}", O_RDONLY|O_CLOEXEC`);
    // With a piece missing, the directory is not used: the cache is.
    rmSync(join(prefix, "lib", "synq", "libbpf.so.1"));
    expect(run([elsewhere, "status", "--json"], { TMPDIR: tmp }).status).toBe(0);
    expect(readdirSync(tmp)).toEqual([`synq-${process.getuid?.()}`]);
  });

  it("loads the pieces of SYNQ_LIB_DIR, which must hold them all", () => {
    const tmp = freshDir();
    expect(sea(["status", "--json"], { TMPDIR: tmp, SYNQ_LIB_DIR: LIB }).status).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    const empty = freshDir();
    expectOneLineErrorBothWays(
      (args) => sea(args, { SYNQ_LIB_DIR: empty }),
      ["status"],
      3,
      new RegExp(`SYNQ_LIB_DIR=${empty} does not hold acceptq.bpf.o, koffi.node`),
    );
  });

  it("prints what bin/run.js prints: status --json of a capture", () => {
    const env = fixtureEnv();
    const fromSea = sea(["status", "--json"], env);
    const fromNpm = npm(["status", "--json"], env);
    expect(fromSea.stderr).toBe("");
    expect(fromSea.status).toBe(0);
    expect(withoutTime(fromSea.stdout)).toEqual(withoutTime(fromNpm.stdout));
    const text = ["status", "--top", "3"];
    expect(sea(text, env).stdout).toBe(npm(text, env).stdout);
  });

  it("prints what bin/run.js prints: decode-cookie, its errors and exit codes", () => {
    for (const args of [
      ["decode-cookie", "0xa3242733"],
      ["decode-cookie", "0xa3242733", "--json"],
      ["decode-cookie", "--tsval", "0x5f3a1c2d", "--json"],
      ["decode-cookie", "not-a-number"],
      ["decode-cookie", "--bogus", "--json"],
      ["status", "--help"],
      ["no-such-command"],
    ]) {
      const a = sea(args);
      const b = npm(args);
      expect({ args, ...a }).toEqual({ args, ...b });
    }
    // The root help names the Node it runs on: the executable's own.
    const nodeOf = (text: string) => text.replace(/ node-v[\d.]+$/m, " node-vX");
    const [a, b] = [sea(["--help"]), npm(["--help"])];
    expect(a.stdout).toContain(`synq/${VERSION} linux-x64 node-v24.`);
    expect({ ...a, stdout: nodeOf(a.stdout) }).toEqual({ ...b, stdout: nodeOf(b.stdout) });
  });

  it("fails as bin/run.js does where it needs the kernel and is refused its cache", () => {
    const cache = freshDir(0o755);
    const args = ["decode-cookie", "0x12345678", "--kernel", "--client", "10.0.0.1:40000"];
    args.push("--server", "10.0.0.2:80", "--isn", "12345", "--mss", "1460");
    expectOneLineErrorBothWays(
      (a) => sea(a, { SYNQ_CACHE_DIR: cache }),
      args,
      5,
      /the cache directory .* has mode 0755, not 0700/,
    );
  });

  it("asks the kernel through its own libbpf as bin/run.js does (decode-cookie --kernel)", () => {
    const args = ["decode-cookie", "0x12345678", "--kernel", "--client", "10.0.0.1:40000"];
    args.push("--server", "10.0.0.2:80", "--isn", "12345", "--mss", "1460", "--json");
    // jiffies move between the two runs; a new minute changes the cookie: then ask again.
    type Report = { kernel: { jiffies64?: number; count: Record<string, unknown> } };
    const answer = (r: SynqRun) => {
      expect(r.stderr).toBe("");
      const report = JSON.parse(r.stdout) as Report;
      delete report.kernel.jiffies64;
      for (const key of ["jiffies64", "secondsIntoMinute", "detail"])
        delete report.kernel.count[key];
      return report;
    };
    let a = answer(sea(args));
    let b = answer(npm(args));
    if (JSON.stringify(a.kernel.count) !== JSON.stringify(b.kernel.count)) {
      a = answer(sea(args));
      b = answer(npm(args));
    }
    expect(a).toEqual(b);
  });

  it("loads the packages it carries apart when a command first needs them: YAML, bcrypt, zod", async () => {
    // export --web-config reads YAML and checks passwords against bcrypt hashes; decode-cookie
    // --json checks its report against its zod schema (each a vendor bundle of
    // scripts/release-vendors.mjs).
    const dir = freshDir(0o755);
    const config = join(dir, "web.yml");
    writeFileSync(config, `basic_auth_users:\n  prometheus: ${bcrypt.hashSync("s3cret", 4)}\n`);
    const server = await startExport(
      ["--listen", `127.0.0.1:${await freePort()}`, "--web-config", config],
      { synq: [EXECUTABLE], env: baseEnv({}) },
    );
    try {
      const url = `${server.base}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const wrong = { authorization: `Basic ${Buffer.from("prometheus:nope").toString("base64")}` };
      expect((await fetch(url, { headers: wrong })).status).toBe(401);
      const right = {
        authorization: `Basic ${Buffer.from("prometheus:s3cret").toString("base64")}`,
      };
      const scraped = await fetch(url, { headers: right });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/^synq_listener_accept_queue_depth\{/m);
    } finally {
      await server.stop();
    }
    const decoded = sea(["decode-cookie", "0xa3242733", "--json"]);
    expect(decoded.status).toBe(0);
    expect(JSON.parse(decoded.stdout)).toHaveProperty("sequence.hex", "0xa3242733");
  });

  it("draws synq watch with the system's terminfo entry (ncurses 6's 32-bit format), and q ends it", async () => {
    // Debian's xterm-256color has a number above 32767 (pairs), so ncurses writes it in its
    // extended format; blessed's own copies, its fallback, are not in the executable.
    const ns = createNetns("synq-sea-watch");
    const listener = await startScenario(ns, {
      listeners: [{ address: "127.0.0.1", port: 8080, backlog: 4 }],
      settleMs: 0,
    });
    const pane = startInTmux([EXECUTABLE, "watch", "--netns", ns, "--no-trace"], {
      env: { TERM: "xterm-256color", TMPDIR: freshDir() },
    });
    try {
      const screen = await pane.waitFor((s) => s.includes("127.0.0.1:8080"), "the listener table");
      expect(screen).toMatch(/Listeners 1\/1/);
      expect(screen).toMatch(/127\.0\.0\.1:8080 +\S+ +0\/4 /);
      pane.keys("q");
      await pane.waitFor((s) => /synq-exit=\d+/.test(s), "synq to exit");
      expect(pane.exitCode(), pane.screen()).toBe(0);
      expect(pane.format("#{alternate_on}")).toBe("0");
    } finally {
      pane.kill();
      await listener.stop();
      deleteNetns(ns);
    }
  });
});

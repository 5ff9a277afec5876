import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { capturesOf, FIXTURES } from "../helpers/fixtures.js";
import { expectOneLineErrorBothWays } from "../helpers/one-line-error.js";
import { isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq } from "../helpers/run-synq.js";

const [busy] = capturesOf("busy");
if (!busy) throw new Error("no busy capture in fixtures/");
const scratch = mkdtempSync(join(tmpdir(), "synq-errors-"));
chmodSync(scratch, 0o755); // readable by nobody, for the permission test
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Environment that makes synq read a fixture: sockets through `ss` (SYNQ_SOCKETS=ss) with a fake
 * ss first on PATH that prints the capture, procfs from the capture.
 */
function fixtureEnv(ssDir: string, procRoot: string): NodeJS.ProcessEnv {
  return {
    SYNQ_SOCKETS: "ss",
    PATH: `${join(FIXTURES, "bin")}:${process.env.PATH}`,
    SYNQ_FAKE_SS_DIR: ssDir,
    SYNQ_PROC_ROOT: procRoot,
  };
}

/** `synq status ARGS` under `env` (as nobody when asked): as given and with --json. */
function statusFailsBothWays(
  args: string[],
  env: NodeJS.ProcessEnv,
  code: number,
  pattern: RegExp,
  asNobody = false,
) {
  expectOneLineErrorBothWays((a) => runSynq(["status", ...a], env, asNobody), args, code, pattern);
}

describe("synq status on captured outputs", () => {
  it("renders the capture through the real CLI", () => {
    const r = runSynq(["status", "--json"], fixtureEnv(busy.dir, join(busy.dir, "proc")));
    expect(r.stderr).toBe("");
    const status = JSON.parse(r.stdout);
    const l = status.namespaces[0].listeners.find(
      (x: { local: string }) => x.local === "127.0.0.2:8080",
    );
    expect(l.synQueue.depth).toBe(3);
  });
});

describe("synq status bad input", () => {
  it("names ss and how to install it when it reads through ss and ss is not on PATH", () => {
    statusFailsBothWays(
      [],
      { PATH: join(scratch, "empty-path"), SYNQ_SOCKETS: "ss" },
      ExitCode.missingTool,
      /`ss` was not found in PATH; install iproute2/,
    );
  });

  it("needs no ss when it reads sockets over sock_diag (the default)", () => {
    const r = runSynq(["status", "--json"], { PATH: join(scratch, "empty-path") });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).namespaces[0].netns).toBe("");
  });

  it("names a namespace that does not exist", () => {
    statusFailsBothWays(
      ["--netns", "synq-no-such-ns"],
      {},
      ExitCode.badInput,
      /network namespace "synq-no-such-ns" does not exist.*ip netns list/,
    );
  });

  it.skipIf(missing(isRoot, "root, to run as nobody"))(
    "says permission, not absence, for a namespace file it may not open",
    () => {
      // As nobody, /proc/1/ns/net exists but cannot be opened.
      statusFailsBothWays(
        ["--netns", "/proc/1/ns/net"],
        {},
        ExitCode.permission,
        /cannot open network namespace file \/proc\/1\/ns\/net: permission denied; run synq as root/,
        true,
      );
    },
  );

  it.each([
    [["--port", "99999"], /--port "99999" is not a port/],
    [["--port", "http"], /--port "http" is not a port/],
    [["--interval", "-1"], /--interval "-1" is not a duration/],
    [["--interval", "soon"], /--interval "soon" is not a duration/],
    [["--interval", "x"], /--interval "x" is not a duration/],
    [["--top", "-1"], /--top "-1" is not a number of rows from 0 \(all\) to 1000000$/],
    [["--top", "ten"], /--top "ten" is not a number of rows/],
    [["--top", "2.5"], /--top "2.5" is not a number of rows/],
    [["--top", "1e3"], /--top "1e3" is not a number of rows/],
    [["--top", "1000001"], /--top "1000001" is not a number of rows/],
    [["--all-netns", "--top", "x"], /--top "x" is not a number of rows/],
  ])("rejects %j", (args, pattern) => {
    statusFailsBothWays(args, {}, ExitCode.badInput, pattern);
  });

  it("takes --top with --json and leaves the JSON as it is", () => {
    const env = fixtureEnv(busy.dir, join(busy.dir, "proc"));
    const [topped, plain] = [["--top", "1"], []].map((top) => {
      const r = runSynq(["status", "--json", ...top], env);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      return { ...JSON.parse(r.stdout), generatedAt: null };
    });
    expect(topped.namespaces[0].listeners.length).toBeGreaterThan(1);
    expect(topped).toEqual(plain);
  });

  it.each([
    ["/etc/passwd", "a regular file"],
    ["/proc/self/ns/mnt", "a namespace of another type"],
    ["/tmp", "a directory"],
  ])("refuses %s (%s) as a network namespace file", (path) => {
    statusFailsBothWays(
      ["--netns", path],
      {},
      ExitCode.badInput,
      new RegExp(
        `^synq: ${path} is not a network namespace file; give a name from \`ip netns list\` or a path like /proc/PID/ns/net$`,
      ),
    );
  });

  it("names the source and line of garbage in ss output", () => {
    const dir = join(scratch, "garbage-ss");
    cpSync(busy.dir, dir, { recursive: true });
    writeFileSync(
      join(dir, "ss-listeners.txt"),
      "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\nLISTEN zero 5 [::]:80 [::]:*\n",
    );
    statusFailsBothWays(
      [],
      fixtureEnv(dir, join(dir, "proc")),
      ExitCode.parse,
      /cannot parse ss -H -l -t -n -m -p -e line 2 .*must be numbers/,
    );
  });

  it("names the file and line of garbage in /proc/net/netstat", () => {
    const dir = join(scratch, "garbage-proc");
    cpSync(busy.dir, dir, { recursive: true });
    writeFileSync(
      join(dir, "proc/net/netstat"),
      "TcpExt: ListenOverflows ListenDrops\nTcpExt: 1\n",
    );
    statusFailsBothWays(
      [],
      fixtureEnv(dir, join(dir, "proc")),
      ExitCode.parse,
      /proc\/net\/netstat line 2 .*2 names but 1 values/,
    );
  });

  it("says so when a /proc file cannot be read", () => {
    const dir = join(scratch, "unreadable");
    cpSync(busy.dir, dir, { recursive: true });
    chmodSync(join(dir, "proc/net/snmp"), 0);
    const env = fixtureEnv(dir, join(dir, "proc"));
    // root reads any file: drop to nobody for this one, as a user without rights would be.
    statusFailsBothWays(
      [],
      env,
      ExitCode.permission,
      /cannot read .*proc\/net\/snmp: permission denied; run synq as root/,
      isRoot,
    );
  });
});

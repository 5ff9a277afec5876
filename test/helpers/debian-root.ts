/**
 * A minimal Debian root without Node.js (scripts/debootstrap-root.sh, cached outside the
 * clone) for the release tests: an overlay on the cached root, so nothing the tests do
 * reaches the cache, and a network namespace of its own. Commands run chrooted in it with
 * /proc, /sys, cgroup2, bpffs and tracefs mounted, in a mount namespace that dies with them.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const DEBOOTSTRAP_ROOT = fileURLToPath(
  new URL("../../scripts/debootstrap-root.sh", import.meta.url),
);

/** A command's outcome inside the root. */
export interface RootRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Options of a command inside the root. */
export interface RootRunOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** An overlay of a cached Debian root, with its own network namespace. */
export interface DebianRoot {
  suite: string;
  /** The root's directory on the host (the overlay's merged view). */
  dir: string;
  netns: string;
  /** Runs argv chrooted in the root, in its namespace; waits for it. */
  run: (argv: string[], opts?: RootRunOptions) => RootRun;
  /** Runs a shell script (sh -c) in the root. */
  sh: (script: string, opts?: RootRunOptions) => RootRun;
  /** Starts argv in the root without waiting; stopped by close() at the latest. */
  spawn: (argv: string[], opts?: RootRunOptions) => ChildProcess;
  /** The argv that runs a command in the root (for a wrapper script). */
  argvFor: (argv: string[], env?: Record<string, string>) => string[];
  /** Copies a host file into the root. */
  copyIn: (hostPath: string, rootPath: string) => void;
  close: () => void;
}

/** The cached root of `suite`, made on first use (minutes; later runs: at once). */
export function cachedRoot(suite: string): string {
  return execFileSync("bash", [DEBOOTSTRAP_ROOT, suite], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 20 * 60_000,
  }).trim();
}

/**
 * The mounts a real system has, made inside `ip netns exec`'s private mount namespace, then
 * the command chrooted with a clean environment.
 */
const ENTER = `root=$1; shift
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
mount -t bpf bpf "$root/sys/fs/bpf"
mount -t tracefs tracefs "$root/sys/kernel/tracing"
mount -t tmpfs tmpfs "$root/run/lock" 2>/dev/null || true
exec chroot "$root" "$@"`;

const BASE_ENV = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/root",
  LANG: "C.UTF-8",
  TERM: "dumb",
};

/** Opens an overlay of the cached `suite` root; close() unmounts and removes it. */
export function openDebianRoot(suite: string, label: string): DebianRoot {
  const base = cachedRoot(suite);
  const scratch = mkdtempSync(join(tmpdir(), `synq-root-${suite}-`));
  const dir = join(scratch, "merged");
  // Traversable by every user: a wrapper run as nobody enters the root too.
  chmodSync(scratch, 0o755);
  for (const d of ["upper", "work", "merged"]) mkdirSync(join(scratch, d));
  execFileSync("mount", [
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${base},upperdir=${join(scratch, "upper")},workdir=${join(scratch, "work")}`,
    dir,
  ]);
  const netns = `${label}-${process.pid}`;
  execFileSync("ip", ["netns", "add", netns]);
  execFileSync("ip", ["-n", netns, "link", "set", "lo", "up"]);
  const children: ChildProcess[] = [];

  const argvFor = (argv: string[], env: Record<string, string> = {}): string[] => {
    const envArgs = Object.entries({ ...BASE_ENV, ...env }).map(([k, v]) => `${k}=${v}`);
    return [
      "ip",
      "netns",
      "exec",
      netns,
      "sh",
      "-c",
      ENTER,
      "enter",
      dir,
      "/usr/bin/env",
      "-i",
      ...envArgs,
      ...argv,
    ];
  };
  const run = (argv: string[], opts: RootRunOptions = {}): RootRun => {
    const [cmd, ...args] = argvFor(argv, opts.env);
    const r = spawnSync(cmd as string, args, {
      encoding: "utf8",
      input: opts.input ?? "",
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 1 << 28,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    suite,
    dir,
    netns,
    run,
    sh: (script, opts) => run(["/bin/sh", "-c", script], opts),
    spawn: (argv, opts = {}) => {
      const [cmd, ...args] = argvFor(argv, opts.env);
      const child = spawn(cmd as string, args, { stdio: ["ignore", "pipe", "pipe"] });
      children.push(child);
      return child;
    },
    argvFor,
    copyIn: (hostPath, rootPath) => {
      const target = join(dir, rootPath);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(hostPath, target);
    },
    close: () => {
      for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
      // Processes still running in the namespace (a listener's children) go with it.
      spawnSync("sh", ["-c", `ip netns pids ${netns} | xargs -r kill -9`]);
      spawnSync("ip", ["netns", "del", netns]);
      spawnSync("umount", ["-l", dir]);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Waits until a child in the root printed `text` on stdout (a helper's "listening"). */
export function waitForOutput(
  child: ChildProcess,
  text: string,
  timeoutMs = 30_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`no "${text}" within ${timeoutMs} ms: ${err}`)),
      timeoutMs,
    );
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (!out.includes(text)) reject(new Error(`exited (${code}) before "${text}": ${err}`));
    });
  });
}

/**
 * A host executable that runs `bin` inside the root in the caller's network namespace, with
 * /proc, /sys, /run/netns, /tmp and the clone bound at their own paths, the caller's
 * environment kept: what test/cli's SYNQ_BIN needs to run the suite against the root's synq.
 * A caller without root (the suite's runs as nobody) gets a user namespace of its own, in
 * which chroot is allowed; outside it, it still has only nobody's rights.
 */
export function chrootWrapper(root: DebianRoot, bin: string, clone: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "synq-wrapper-")), "synq");
  // Mount points made now: a caller without root cannot create them in the root.
  mkdirSync(join(root.dir, clone), { recursive: true });
  // The caller's PATH is for synq (a test may empty it); the wrapper's own tools are found
  // by theirs. NODE_* variables name host files (NODE_EXTRA_CA_CERTS) the root has not got.
  const script = `#!/bin/sh
# synq inside ${root.dir}
SYNQ_WRAPPER_PATH=$PATH
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export SYNQ_WRAPPER_PATH SYNQ_WRAPPER_CLONE=${JSON.stringify(clone)}
for v in $(env | sed -n 's/^\\(NODE_[A-Za-z_]*\\)=.*/\\1/p'); do unset "$v"; done
enter='root=$1; shift
for d in /proc /sys /run/netns /tmp "$SYNQ_WRAPPER_CLONE"; do
  mount --rbind "$d" "$root$d" || exit 125
done
exec chroot "$root" $SYNQ_WRAPPER_DROP /usr/bin/env -u SYNQ_WRAPPER_PATH -u SYNQ_WRAPPER_CLONE -u SYNQ_WRAPPER_DROP PATH="$SYNQ_WRAPPER_PATH" "$@"'
if [ "$(id -u)" = 0 ]; then
  exec unshare --mount --propagation slave sh -c "$enter" enter ${JSON.stringify(root.dir)} ${JSON.stringify(bin)} "$@"
fi
# A user without root enters as root of a user namespace of its own (to mount and chroot),
# then gives up every capability, so synq runs as unprivileged there as it was called.
SYNQ_WRAPPER_DROP="setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all --"
export SYNQ_WRAPPER_DROP
exec unshare --user --map-root-user --mount sh -c "$enter" enter ${JSON.stringify(root.dir)} ${JSON.stringify(bin)} "$@"
`;
  writeFileSync(file, script, { mode: 0o755 });
  chmodSync(dirname(file), 0o755);
  return file;
}

/** A field of an installed package in the root (dpkg-query -W -f='${Field}'). */
export function dpkgField(root: DebianRoot, pkg: string, field: string): string {
  return root.run(["dpkg-query", "-W", `-f=\${${field}}`, pkg]).stdout;
}

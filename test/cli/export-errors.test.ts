import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { startExport } from "../helpers/export-server.js";
import { expectOneLineError } from "../helpers/one-line-error.js";
import { hasTool, isRoot, missing } from "../helpers/prerequisites.js";
import { runSynq, runSynqAsync } from "../helpers/run-synq.js";

const scratch = mkdtempSync(join(tmpdir(), "synq-export-errors-"));
chmodSync(scratch, 0o755); // root's, not writable by nobody: the permission test
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `synq export ARGS` fails with one line, and leaves the scratch directory as it was. */
function exportFails(args: string[], code: number, pattern: RegExp, asNobody = false): void {
  const before = readdirSync(scratch);
  expectOneLineError(runSynq(["export", ...args], {}, asNobody), code, pattern);
  expect(readdirSync(scratch)).toEqual(before);
}

describe("synq export failures", () => {
  it("refuses --textfile with --listen or --web-config, as a usage error", () => {
    const file = join(scratch, "synq.prom");
    exportFails(
      ["--textfile", file, "--listen", "127.0.0.1:7967"],
      ExitCode.usage,
      /^synq: --listen=127\.0\.0\.1:7967 cannot also be provided when using --textfile; see `synq export --help`$/,
    );
    exportFails(
      ["--textfile", file, "--web-config", join(scratch, "web.yml")],
      ExitCode.usage,
      /--web-config=.*cannot also be provided when using --textfile/,
    );
  });

  it("names a directory that does not exist, before collecting", () => {
    exportFails(
      ["--textfile", join(scratch, "nope", "synq.prom")],
      ExitCode.badInput,
      /cannot write --textfile .*nope\/synq\.prom: directory .*nope does not exist; create it/,
    );
  });

  it("refuses a directory as --textfile, and an empty one", () => {
    mkdirSync(join(scratch, "dir"), { recursive: true });
    exportFails(["--textfile", join(scratch, "dir")], ExitCode.badInput, /it is a directory/);
    exportFails(["--textfile", ""], ExitCode.badInput, /--textfile is empty/);
  });

  it("checks --port and --netns as status does", () => {
    const file = join(scratch, "synq.prom");
    exportFails(["--textfile", file, "--port", "http"], ExitCode.badInput, /port/);
    exportFails(
      ["--textfile", file, "--netns", "synq-no-such-ns"],
      ExitCode.badInput,
      /network namespace "synq-no-such-ns" does not exist/,
    );
    exportFails(["--textfile", file, "--json"], ExitCode.usage, /Nonexistent flag: --json/);
  });

  it.skipIf(missing(isRoot, "root, to run as nobody"))(
    "says permission for a directory it may not write",
    () => {
      exportFails(
        ["--textfile", join(scratch, "synq.prom")],
        ExitCode.permission,
        /cannot write --textfile .*synq\.prom: writing to .* was refused \(EACCES\); run synq as a user that may write there/,
        true,
      );
    },
  );
});

describe("synq export's server: what it refuses before serving", () => {
  const certDir = mkdtempSync(join(tmpdir(), "synq-export-certs-"));
  chmodSync(certDir, 0o755);
  afterAll(() => rmSync(certDir, { recursive: true, force: true }));
  const cert = join(certDir, "server.crt");
  const key = join(certDir, "server.key");
  const skipTls = missing(hasTool("openssl"), "openssl");
  if (!skipTls) {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"],
      ],
      { stdio: "ignore" },
    );
    chmodSync(key, 0o600); // root's: nobody cannot read it
    chmodSync(cert, 0o644);
  }
  /** A web config in the certificate directory (readable by all). */
  const config = (name: string, text: string) => {
    const file = join(certDir, name);
    writeFileSync(file, text);
    chmodSync(file, 0o644);
    return file;
  };

  it("a web config with an unknown key, bad YAML or a password for a hash", () => {
    exportFails(
      ["--web-config", config("unknown.yml", "tls_server_config:\n  certfile: a\n")],
      ExitCode.badInput,
      /^synq: --web-config .*unknown\.yml: unknown key tls_server_config\.certfile$/,
    );
    exportFails(
      ["--web-config", config("bad.yml", "basic_auth_users: [\n")],
      ExitCode.badInput,
      /^synq: --web-config .*bad\.yml: not valid YAML: .* at line \d+, column \d+$/,
    );
    exportFails(
      ["--web-config", config("plain.yml", "basic_auth_users:\n  prometheus: hunter2\n")],
      ExitCode.badInput,
      /basic_auth_users\.prometheus is not a bcrypt hash; store a hash, not the password/,
    );
    exportFails(
      ["--web-config", join(certDir, "missing.yml")],
      ExitCode.badInput,
      /^synq: cannot read --web-config .*missing\.yml: no such file; give the path of an exporter-toolkit web config \(YAML\)$/,
    );
  });

  it.skipIf(skipTls)("a certificate that does not exist", () => {
    exportFails(
      [
        "--web-config",
        config("nocert.yml", `tls_server_config:\n  cert_file: nope.crt\n  key_file: ${key}\n`),
      ],
      ExitCode.badInput,
      /^synq: --web-config .*nocert\.yml: cannot read cert_file .*\/nope\.crt: no such file$/,
    );
  });

  it.skipIf(skipTls || missing(isRoot, "root, to run as nobody"))(
    "a key it may not read (as nobody)",
    () => {
      exportFails(
        [
          "--web-config",
          config(
            "tls.yml",
            `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n`,
          ),
        ],
        ExitCode.permission,
        /^synq: --web-config .*tls\.yml: cannot read key_file .*server\.key: permission denied; run synq as a user that may read it$/,
        true,
      );
    },
  );

  it("a port in use, an address that is not one, a bad --max-series", async () => {
    const taken = createServer();
    taken.listen(0, "127.0.0.1");
    await once(taken, "listening");
    const { port } = taken.address() as AddressInfo;
    try {
      const r = await runSynqAsync(["export", "--listen", `127.0.0.1:${port}`]);
      expectOneLineError(
        r,
        ExitCode.badInput,
        new RegExp(
          `^synq: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use; stop what listens there \\(ss -ltnp 'sport = :${port}'\\) or choose another with --listen$`,
        ),
      );
    } finally {
      taken.close();
    }
    exportFails(
      ["--listen", "localhost:7967"],
      ExitCode.badInput,
      /^synq: --listen "localhost:7967" does not start with an IP address/,
    );
    exportFails(["--listen", "7967"], ExitCode.badInput, /--listen "7967" is not HOST:PORT/);
    exportFails(
      ["--max-series", "many"],
      ExitCode.badInput,
      /^synq: --max-series "many" is not a number of series/,
    );
    exportFails(["--port", "http"], ExitCode.badInput, /^synq: --port "http" is not a port/);
    exportFails(
      ["--netns", "synq-no-such-ns"],
      ExitCode.badInput,
      /network namespace "synq-no-such-ns" does not exist/,
    );
  });

  it.skipIf(missing(isRoot, "root, to run as nobody"))(
    "other namespaces without root, with the reason, in both modes",
    () => {
      for (const mode of [[], ["--textfile", join(scratch, "synq.prom")]]) {
        exportFails(
          [...mode, "--netns", "web"],
          ExitCode.permission,
          /^synq: --netns reads other network namespaces, which needs root \(CAP_SYS_ADMIN, to enter them\); run synq export as root, or without it to export the namespace synq runs in$/,
          true,
        );
        exportFails(
          [...mode, "--all-netns"],
          ExitCode.permission,
          /^synq: --all-netns reads other network namespaces, which needs root/,
          true,
        );
      }
    },
  );
});

describe.skipIf(missing(isRoot, "root, to run as nobody"))("synq export without root", () => {
  it("serves the namespace it runs in, and exits 0 on SIGTERM and SIGINT", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const server = await startExport(["--listen", "127.0.0.1:0"], { asNobody: true });
      try {
        const res = await fetch(`${server.base}/metrics`);
        const body = await res.text();
        expect(res.status).toBe(200);
        expect(body).toMatch(/^synq_build_info\{version="[^"]+",node_version="v\d+[^"]*"\} 1$/m);
        expect(body).toMatch(/^synq_netns_listen_overflows_total\{netns=""\} \d+$/m);
        expect(body).not.toMatch(/netns="[^"]/);
      } finally {
        expect(await server.stop(signal)).toEqual({ code: 0, signal: null });
      }
      expect(server.stderr()).toMatch(
        /^synq export: serving http:\/\/127\.0\.0\.1:\d+\/metrics\n$/,
      );
    }
  });
});

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, SynqError } from "../../../src/errors.js";
import { loadWebConfig, parseWebConfig } from "../../../src/export/web-config.js";
import { hasTool, missing } from "../../helpers/prerequisites.js";

const dir = mkdtempSync(join(tmpdir(), "synq-web-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate and its key, made by openssl. */
function selfSigned(name: string): void {
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", join(dir, `${name}.key`), "-out", join(dir, `${name}.crt`), "-days", "2"],
      ...["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
}

/** Writes `text` as a config file in the scratch directory and parses it. */
function load(text: string, name = "web.yml") {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadWebConfig(file);
}

function failure(text: string): SynqError {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SynqError);
    return err as SynqError;
  }
  throw new Error("the config was accepted");
}

const HASH = bcrypt.hashSync("s3cret", 4);

describe.skipIf(missing(hasTool("openssl"), "openssl"))("--web-config", () => {
  beforeAll(() => {
    selfSigned("server");
    selfSigned("other");
    mkdirSync(join(dir, "sub"));
  });

  it("reads TLS and users, with paths relative to the config's directory", () => {
    const config = load(
      `tls_server_config:\n  cert_file: server.crt\n  key_file: ${join(dir, "server.key")}\n  min_version: TLS13\nbasic_auth_users:\n  prometheus: ${HASH}\n  "grafana agent": '${HASH}'\n`,
    );
    expect(config.tls?.cert.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(config.tls?.key.toString()).toMatch(/PRIVATE KEY-----/);
    expect(config.tls?.minVersion).toBe("TLSv1.3");
    expect(config.tls?.requireClientCert).toBe(false);
    expect([...config.users.keys()]).toEqual(["prometheus", "grafana agent"]);
    const nested = load(
      "tls_server_config:\n  cert_file: ../server.crt\n  key_file: ../server.key\n",
      "sub/web.yml",
    );
    expect(nested.tls?.cert).toEqual(config.tls?.cert);
  });

  it("takes an empty file, and users alone, as the toolkit does", () => {
    expect(load("")).toEqual({ tls: null, users: new Map() });
    expect(load(`basic_auth_users:\n  a: ${HASH}\n`).tls).toBeNull();
    expect(load("basic_auth_users:\n").users.size).toBe(0);
  });

  it("requires a client CA exactly with RequireAndVerifyClientCert", () => {
    const tls = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
    const both = load(
      `${tls}  client_ca_file: other.crt\n  client_auth_type: RequireAndVerifyClientCert\n`,
    );
    expect(both.tls?.requireClientCert).toBe(true);
    expect(both.tls?.ca?.toString()).toMatch(/BEGIN CERTIFICATE/);
    expect(failure(`${tls}  client_auth_type: RequireAndVerifyClientCert\n`).message).toMatch(
      /RequireAndVerifyClientCert needs client_ca_file/,
    );
    expect(failure(`${tls}  client_ca_file: other.crt\n`).message).toMatch(
      /client_ca_file is set but client_auth_type is not RequireAndVerifyClientCert/,
    );
    expect(failure(`${tls}  client_auth_type: RequestClientCert\n`).message).toMatch(
      /tls_server_config\.client_auth_type must be one of NoClientCert, RequireAndVerifyClientCert$/,
    );
  });

  it.each([
    [
      "bad YAML",
      "tls_server_config:\n  cert_file: [a\n",
      /web\.yml: not valid YAML: .* at line \d+, column \d+$/,
    ],
    [
      "a repeated key",
      "basic_auth_users: {}\nbasic_auth_users: {}\n",
      /not valid YAML: Map keys must be unique/,
    ],
    ["a list", "- a\n- b\n", /web\.yml: the file is not a YAML mapping of settings$/],
    ["a scalar for a mapping", "tls_server_config: 3\n", /tls_server_config must be a mapping$/],
    [
      "an unknown key",
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  key_fil: c\n",
      /unknown key tls_server_config\.key_fil$/,
    ],
    ["an unknown top-level key", "basic_auth: {}\n", /unknown key basic_auth$/],
    [
      "a misspelt key, not the one it leaves missing",
      "tls_server_config:\n  certfile: a\n  key_file: b\n",
      /unknown key tls_server_config\.certfile$/,
    ],
    [
      "a toolkit key synq lacks",
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
      /tls_server_config\.cipher_suites is an exporter-toolkit setting synq does not implement/,
    ],
    [
      "http_server_config",
      "http_server_config:\n  http2: false\n",
      /http_server_config is an exporter-toolkit setting/,
    ],
    [
      "no key_file",
      "tls_server_config:\n  cert_file: server.crt\n",
      /tls_server_config\.key_file must be a string/,
    ],
    [
      "an empty cert_file",
      "tls_server_config:\n  cert_file: ''\n  key_file: server.key\n",
      /tls_server_config\.cert_file is empty/,
    ],
    [
      "a password for a hash",
      "basic_auth_users:\n  prometheus: s3cret\n",
      /basic_auth_users\.prometheus is not a bcrypt hash; store a hash, not the password: htpasswd -nBC 10/,
    ],
    [
      "a hash of another kind",
      "basic_auth_users:\n  p: $6$salt$abcdefghijklmnopqrstuvwxyz\n",
      /basic_auth_users\.p is not a bcrypt hash/,
    ],
    ["a number for a hash", "basic_auth_users:\n  p: 12\n", /basic_auth_users\.p must be a string/],
    [
      "a user with a colon",
      `basic_auth_users:\n  "a:b": ${HASH}\n`,
      /has the user "a:b"; a user name is not empty and has no colon/,
    ],
    [
      "a TLS version Go has not",
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n",
      /min_version must be one of TLS10, TLS11, TLS12, TLS13/,
    ],
  ])("refuses %s with one line naming the file and key", (_what, text, pattern) => {
    const err = failure(text);
    expect(err.exitCode).toBe(ExitCode.badInput);
    expect(err.oneLine()).toMatch(/^--web-config \/.*web\.yml: /);
    expect(err.oneLine()).toMatch(pattern);
    expect(err.oneLine()).not.toMatch(/\n/);
  });

  it("refuses a certificate or key it cannot read, and a key that is not the certificate's", () => {
    const tls = (cert: string, key: string) =>
      `tls_server_config:\n  cert_file: ${cert}\n  key_file: ${key}\n`;
    expect(failure(tls("nope.crt", "server.key")).oneLine()).toMatch(
      /cannot read cert_file \/.*\/nope\.crt: no such file$/,
    );
    expect(failure(tls("server.crt", "sub")).oneLine()).toMatch(
      /cannot read key_file .*sub: a directory/,
    );
    const mismatch = failure(tls("server.crt", "other.key"));
    expect(mismatch.exitCode).toBe(ExitCode.badInput);
    expect(mismatch.oneLine()).toMatch(
      /the certificate .*server\.crt and key .*other\.key cannot serve TLS \(.*\); give a PEM certificate and the private key that belongs to it$/,
    );
    expect(failure(tls("server.key", "server.key")).oneLine()).toMatch(/cannot serve TLS/);
  });

  it("names a config file that is missing", () => {
    expect(() => loadWebConfig(join(dir, "missing.yml"))).toThrow(
      /cannot read --web-config .*missing\.yml: no such file/,
    );
    expect(() => parseWebConfig("basic_auth_users: []\n", "x.yml")).toThrow(
      /--web-config x\.yml: basic_auth_users must be a mapping/,
    );
  });
});

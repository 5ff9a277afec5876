/**
 * `--web-config FILE`: TLS and basic authentication in the format of Prometheus's
 * exporter-toolkit (node_exporter's --web.config.file), the subset synq serves:
 *
 *   tls_server_config:
 *     cert_file: server.crt          # relative paths: to the file's directory, as the toolkit
 *     key_file: server.key
 *     client_ca_file: clients.crt    # with client_auth_type: RequireAndVerifyClientCert
 *     client_auth_type: RequireAndVerifyClientCert
 *     min_version: TLS12
 *   basic_auth_users:
 *     prometheus: $2b$10$…           # bcrypt hashes
 *
 * Everything is checked before synq serves: YAML syntax, unknown keys, hashes, and that the
 * certificate and key can be read and belong together.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createSecureContext, type SecureVersion } from "node:tls";
import { parse } from "yaml";
import { z } from "zod";
import { SynqError } from "../errors.js";

/** The toolkit's TLS version names and Node's. */
const TLS_VERSIONS = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
} as const satisfies Record<string, SecureVersion>;

type TlsVersionName = keyof typeof TLS_VERSIONS;
const tlsVersion = z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]]);

/** Client certificate policies synq implements (the toolkit has three more). */
const CLIENT_AUTH_TYPES = ["NoClientCert", "RequireAndVerifyClientCert"] as const;

/** The toolkit's keys synq does not implement: named as such, not as unknown. */
const UNSUPPORTED: Record<string, readonly string[]> = {
  "": ["http_server_config", "rate_limit"],
  tls_server_config: [
    "cert",
    "key",
    "client_ca",
    "cipher_suites",
    "curve_preferences",
    "prefer_server_cipher_order",
    "client_allowed_sans",
  ],
};

/** A bcrypt hash as htpasswd -B and bcrypt libraries write it: $2a$, $2b$ or $2y$, cost, 53 chars. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const tlsSchema = z.strictObject({
  cert_file: z.string().min(1),
  key_file: z.string().min(1),
  client_ca_file: z.string().min(1).optional(),
  client_auth_type: z.enum(CLIENT_AUTH_TYPES).optional(),
  min_version: tlsVersion.optional(),
  max_version: tlsVersion.optional(),
});

const webConfigSchema = z
  .strictObject({
    tls_server_config: tlsSchema.nullable().optional(),
    basic_auth_users: z.record(z.string(), z.string()).nullable().optional(),
  })
  .nullable();

/** TLS as the server takes it. */
export interface TlsSettings {
  cert: Buffer;
  key: Buffer;
  /** CA bundle client certificates must chain to; set only with requireClientCert. */
  ca: Buffer | null;
  requireClientCert: boolean;
  minVersion: SecureVersion | undefined;
  maxVersion: SecureVersion | undefined;
}

/** A checked web config. */
export interface WebConfig {
  tls: TlsSettings | null;
  /** user → bcrypt hash; empty: no authentication. */
  users: Map<string, string>;
}

function invalid(file: string, what: string, fix?: string): SynqError {
  return new SynqError("badInput", `--web-config ${file}: ${what}`, fix);
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

/** The first schema problem as a sentence naming the key. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const at = keyPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = [at, issue.keys[0]].filter(Boolean).join(".");
      const parent = at;
      const last = issue.keys[0] ?? "";
      return UNSUPPORTED[parent]?.includes(last)
        ? `${key} is an exporter-toolkit setting synq does not implement`
        : `unknown key ${key}`;
    }
    case "invalid_value":
      return `${at} must be one of ${issue.values.map(String).join(", ")}`;
    case "invalid_type":
      if (issue.path.length === 0) return "the file is not a YAML mapping of settings";
      return `${at} must be ${issue.expected === "record" || issue.expected === "object" ? "a mapping" : `a ${issue.expected}`}`;
    case "too_small":
      return `${at} is empty`;
    default:
      return `${at}: ${issue.message}`;
  }
}

function readPem(file: string, base: string, key: string, configFile: string): Buffer {
  const path = resolve(base, file);
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EACCES" || code === "EPERM") {
      throw new SynqError(
        "permission",
        `--web-config ${configFile}: cannot read ${key} ${path}: permission denied`,
        "run synq as a user that may read it",
      );
    }
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory" : code;
    throw invalid(configFile, `cannot read ${key} ${path}: ${why ?? (err as Error).message}`);
  }
}

function tlsSettings(
  tls: z.infer<typeof tlsSchema>,
  base: string,
  configFile: string,
): TlsSettings {
  const require = tls.client_auth_type === "RequireAndVerifyClientCert";
  if (require && tls.client_ca_file === undefined) {
    throw invalid(
      configFile,
      "client_auth_type RequireAndVerifyClientCert needs client_ca_file",
      "name the CA that signs the clients' certificates",
    );
  }
  if (!require && tls.client_ca_file !== undefined) {
    throw invalid(
      configFile,
      "client_ca_file is set but client_auth_type is not RequireAndVerifyClientCert",
      "add client_auth_type: RequireAndVerifyClientCert, or remove client_ca_file",
    );
  }
  const cert = readPem(tls.cert_file, base, "cert_file", configFile);
  const key = readPem(tls.key_file, base, "key_file", configFile);
  const ca = tls.client_ca_file
    ? readPem(tls.client_ca_file, base, "client_ca_file", configFile)
    : null;
  const settings: TlsSettings = {
    cert,
    key,
    ca,
    requireClientCert: require,
    minVersion: tls.min_version && TLS_VERSIONS[tls.min_version],
    maxVersion: tls.max_version && TLS_VERSIONS[tls.max_version],
  };
  try {
    createSecureContext({
      cert,
      key,
      ...(ca ? { ca } : {}),
      ...(settings.minVersion ? { minVersion: settings.minVersion } : {}),
      ...(settings.maxVersion ? { maxVersion: settings.maxVersion } : {}),
    });
  } catch (err) {
    const why = (err as Error).message.split("\n")[0];
    throw invalid(
      configFile,
      `the certificate ${resolve(base, tls.cert_file)} and key ${resolve(base, tls.key_file)} cannot serve TLS (${why})`,
      "give a PEM certificate and the private key that belongs to it",
    );
  }
  return settings;
}

function usersOf(users: Record<string, string>, configFile: string): Map<string, string> {
  const checked = new Map<string, string>();
  for (const [user, hash] of Object.entries(users)) {
    if (user === "" || user.includes(":")) {
      throw invalid(
        configFile,
        `basic_auth_users has the user ${JSON.stringify(user)}`,
        "a user name is not empty and has no colon",
      );
    }
    if (!BCRYPT_HASH.test(hash)) {
      throw invalid(
        configFile,
        `basic_auth_users.${user} is not a bcrypt hash`,
        `store a hash, not the password: htpasswd -nBC 10 "" | tr -d ':\\n'`,
      );
    }
    checked.set(user, hash);
  }
  return checked;
}

/** The first line of a YAML error, with its position. */
function yamlProblem(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split(":\n")[0]?.split("\n")[0] ?? text;
}

/** Parses and checks web config text; `file` names it in errors and anchors relative paths. */
export function parseWebConfig(text: string, file: string): WebConfig {
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: true });
  } catch (err) {
    throw invalid(file, `not valid YAML: ${yamlProblem(err)}`);
  }
  const result = webConfigSchema.safeParse(doc);
  if (!result.success) {
    // A misspelt key also leaves the right one missing: the misspelling is the cause to name.
    const { issues } = result.error;
    const issue = issues.find((i) => i.code === "unrecognized_keys") ?? issues[0];
    throw invalid(file, issue ? describeIssue(issue) : "not a web config");
  }
  const config = result.data ?? {};
  const base = dirname(resolve(file));
  return {
    tls: config.tls_server_config ? tlsSettings(config.tls_server_config, base, file) : null,
    users: usersOf(config.basic_auth_users ?? {}, file),
  };
}

/** Reads and checks `--web-config FILE`. */
export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EACCES" || code === "EPERM") {
      throw new SynqError(
        "permission",
        `cannot read --web-config ${file}: permission denied`,
        "run synq as a user that may read it",
      );
    }
    throw new SynqError(
      "badInput",
      `cannot read --web-config ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (err as Error).message}`,
      "give the path of an exporter-toolkit web config (YAML)",
    );
  }
  return parseWebConfig(text, file);
}

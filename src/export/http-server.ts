/**
 * The exporter's HTTP(S) server: `GET /metrics`, a landing page at `/`, 404 for any other path
 * and 405 for other methods (HEAD is GET without the body), basic authentication in front of
 * everything when configured. Timeouts keep slow or silent clients from holding anything: a
 * connection that sends no complete request head within `headersMs` is closed, and each
 * request is handled on its own, so an idle connection never delays another scrape.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SynqError } from "../errors.js";
import { type ListenAddress, urlAuthority } from "./listen-address.js";
import type { TlsSettings } from "./web-config.js";

/** A response: a body whole, or chunks written as the connection takes them. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string | Iterable<string>;
}

/** What the server serves. */
export interface Routes {
  metrics(req: IncomingMessage): Promise<Reply>;
  landing(): Reply;
}

/** Checks a request's Authorization header (basic-auth.ts). */
export interface Authenticator {
  allows(header: string | undefined): Promise<boolean>;
  /** The WWW-Authenticate header of a refusal. */
  readonly challenge: string;
}

/** Timeouts, ms. */
export interface Timeouts {
  /** Until a request's head is complete (also a connection that sends nothing). */
  headersMs: number;
  /** Until a whole request is received (scrapes have no body). */
  requestMs: number;
  /** An idle keep-alive connection between scrapes: longer than a 1-minute scrape interval. */
  keepAliveMs: number;
  /** A TLS handshake. */
  handshakeMs: number;
  /** How often the server looks for connections past headersMs / requestMs. */
  checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 10_000,
  requestMs: 15_000,
  keepAliveMs: 75_000,
  handshakeMs: 10_000,
  checkIntervalMs: 1_000,
};

export interface ServerSettings {
  tls: TlsSettings | null;
  auth: Authenticator | null;
  timeouts?: Partial<Timeouts>;
  /** Where a failure while handling a request is reported (one line). */
  log?: (line: string) => void;
}

const TEXT = "text/plain; charset=utf-8";

function text(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "Content-Type": TEXT, ...headers }, body: `${body}\n` };
}

/** The route of a request, or the reply that ends it before routing. */
export async function route(
  req: IncomingMessage,
  routes: Routes,
  auth: Authenticator | null,
): Promise<Reply> {
  // Everything is behind the password, even which paths exist.
  if (auth && !(await auth.allows(req.headers.authorization))) {
    return text(401, "Unauthorized", { "WWW-Authenticate": auth.challenge });
  }
  const path = (req.url ?? "/").split("?")[0];
  const known = path === "/metrics" || path === "/";
  if (!known) return text(404, "Not Found: synq serves /metrics (and / links to it)");
  if (req.method !== "GET" && req.method !== "HEAD") {
    return text(405, "Method Not Allowed", { Allow: "GET, HEAD" });
  }
  return path === "/metrics" ? routes.metrics(req) : routes.landing();
}

async function send(res: ServerResponse, reply: Reply): Promise<void> {
  if (typeof reply.body === "string") {
    const body = Buffer.from(reply.body, "utf8");
    res.writeHead(reply.status, { ...reply.headers, "Content-Length": String(body.length) });
    res.end(body);
    return;
  }
  // Chunked: each chunk is made when the connection has taken the last one, so a body of any
  // size holds one chunk in memory (a HEAD request makes none).
  res.writeHead(reply.status, reply.headers);
  if (res.req.method !== "HEAD") {
    for (const chunk of reply.body) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await drained(res);
    }
  }
  res.end();
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** The server, not listening yet; TLS (node:https, loaded only then) when `tls` is set. */
export async function createExportServer(
  routes: Routes,
  settings: ServerSettings,
): Promise<Server> {
  const t = { ...DEFAULT_TIMEOUTS, ...settings.timeouts };
  const log = settings.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    route(req, routes, settings.auth)
      .then((reply) => send(res, reply))
      .catch((err: unknown) => {
        const line =
          err instanceof SynqError ? err.oneLine() : String((err as Error)?.message ?? err);
        log(`synq: ${req.method} ${req.url} failed: ${line}`);
        if (!res.headersSent) void send(res, text(500, `synq: ${line}`));
        else res.destroy();
      });
  };
  const common = {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: t.checkIntervalMs,
  };
  let server: Server;
  if (settings.tls) {
    const https = await import("node:https");
    const { cert, key, ca, requireClientCert, minVersion, maxVersion } = settings.tls;
    server = https.createServer(
      {
        ...common,
        cert,
        key,
        handshakeTimeout: t.handshakeMs,
        ...(requireClientCert && ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
        ...(minVersion ? { minVersion } : {}),
        ...(maxVersion ? { maxVersion } : {}),
      },
      handler,
    );
  } else {
    const http = await import("node:http");
    server = http.createServer(common, handler);
  }
  return server;
}

function listenError(err: NodeJS.ErrnoException, where: string, port: number): SynqError {
  switch (err.code) {
    case "EADDRINUSE":
      return new SynqError(
        "badInput",
        `cannot listen on ${where}: the port is in use`,
        `stop what listens there (ss -ltnp 'sport = :${port}') or choose another with --listen`,
      );
    case "EACCES":
      return new SynqError(
        "permission",
        `cannot listen on ${where}: permission denied`,
        "ports below 1024 need root (CAP_NET_BIND_SERVICE); choose another with --listen",
      );
    case "EADDRNOTAVAIL":
      return new SynqError(
        "badInput",
        `cannot listen on ${where}: no interface of this host has that address`,
        "give one of `ip -brief address`, or :PORT for every interface",
      );
    default:
      return new SynqError("badInput", `cannot listen on ${where}: ${err.code ?? err.message}`);
  }
}

/** Starts listening; resolves with the address bound (the port the kernel chose for 0). */
export function listenOn(server: Server, address: ListenAddress): Promise<AddressInfo> {
  const where =
    address.host === undefined ? `:${address.port}` : urlAuthority(address.host, address.port);
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(listenError(err, where, address.port));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({ port: address.port, ...(address.host ? { host: address.host } : {}) });
  });
}

/** Stops accepting, ends every connection (idle keep-alives too), and resolves when closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

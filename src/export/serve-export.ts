/**
 * `synq export` as a server: everything the user gave is checked (web config, certificates,
 * namespaces, the address) before the first scrape is answered; then one process stays up and
 * warm, its collections shared by concurrent scrapes, socket owners kept between them, until
 * SIGINT or SIGTERM closes the server and it exits 0.
 */
import { SynqError } from "../errors.js";
import { selectNetns } from "../system/netns-select.js";
import { ListenerOwnerCache } from "../system/owner-cache.js";
import { type CollectRequest, collectExport, type ExportCollection } from "./collection.js";
import {
  type Authenticator,
  closeServer,
  createExportServer,
  listenOn,
  type Timeouts,
} from "./http-server.js";
import { landingPage } from "./landing-page.js";
import { type ListenAddress, urlAuthority } from "./listen-address.js";
import { ScrapeCache } from "./scrape-cache.js";
import { ScrapeHandler } from "./scrape-handler.js";
import { ScrapeErrors } from "./scrape-metrics.js";

/** What the server was asked for. */
export interface ServeRequest {
  listen: ListenAddress;
  /** --web-config FILE, or none: plain HTTP, no authentication. */
  webConfig: string | undefined;
  collect: CollectRequest;
  timeouts?: Partial<Timeouts>;
}

/** Where the server reports, and what stops it (the process; tests pass their own). */
export interface ServeIo {
  log: (line: string) => void;
  signals: Pick<NodeJS.EventEmitter, "once" | "off">;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

const processIo: ServeIo = {
  log: (line) => process.stderr.write(`${line}\n`),
  signals: process,
};

async function authenticator(users: Map<string, string>): Promise<Authenticator | null> {
  if (users.size === 0) return null;
  const { BasicAuth } = await import("./basic-auth.js");
  return new BasicAuth(users);
}

function stopSignal(signals: ServeIo["signals"]): Promise<string> {
  return new Promise((resolve) => {
    const handlers = STOP_SIGNALS.map((signal) => {
      const handler = () => {
        for (const [s, h] of handlers) signals.off(s, h);
        resolve(signal);
      };
      signals.once(signal, handler);
      return [signal, handler] as const;
    });
  });
}

/** Serves until SIGINT or SIGTERM; resolves once the server is closed. */
export async function serveExport(req: ServeRequest, io: ServeIo = processIo): Promise<void> {
  // Loaded only with a config: yaml, node:tls and bcryptjs cost the plain server nothing.
  const config = req.webConfig
    ? (await import("./web-config.js")).loadWebConfig(req.webConfig)
    : null;
  const auth = await authenticator(config?.users ?? new Map());
  // The namespaces as given must exist now; later collections skip one that went away.
  await selectNetns(req.collect.netns ?? [], { all: req.collect.allNetns });

  const errors = new ScrapeErrors();
  const owners = new ListenerOwnerCache(req.collect.procRoot ?? "/proc");
  const cache = new ScrapeCache<ExportCollection>(async () => {
    try {
      return await collectExport({ ...req.collect, skipVanished: true, owners });
    } catch (err) {
      errors.add("collection");
      const line = err instanceof SynqError ? err.oneLine() : (err as Error).message;
      io.log(`synq: collection failed: ${line}`);
      throw err;
    }
  });
  const scrapes = new ScrapeHandler(cache, errors);
  const server = await createExportServer(
    {
      metrics: (r) => scrapes.metrics(r),
      landing: () => ({
        status: 200,
        headers: { "Content-Type": "text/html; charset=utf-8" },
        body: landingPage(req.collect.version),
      }),
    },
    {
      tls: config?.tls ?? null,
      auth,
      log: io.log,
      ...(req.timeouts ? { timeouts: req.timeouts } : {}),
    },
  );
  const stopped = stopSignal(io.signals);
  const bound = await listenOn(server, req.listen);
  try {
    // The first collection before saying so: one that cannot work fails the start, not a scrape.
    await cache.get();
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  const scheme = config?.tls ? "https" : "http";
  const host = req.listen.host ?? bound.address;
  const extras = [config?.tls ? "TLS" : "", auth ? "basic auth" : ""].filter(Boolean);
  io.log(
    `synq export: serving ${scheme}://${urlAuthority(host, bound.port)}/metrics` +
      (req.listen.host === undefined ? " (every interface)" : "") +
      (extras.length ? ` with ${extras.join(" and ")}` : ""),
  );
  await stopped;
  await closeServer(server);
}

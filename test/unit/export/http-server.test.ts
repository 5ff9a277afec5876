import { once } from "node:events";
import { request as httpRequest, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import bcrypt from "bcryptjs";
import { afterEach, describe, expect, it } from "vitest";
import { ExitCode, SynqError } from "../../../src/errors.js";
import { BasicAuth } from "../../../src/export/basic-auth.js";
import {
  closeServer,
  createExportServer,
  listenOn,
  type Routes,
  type ServerSettings,
} from "../../../src/export/http-server.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function ask(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: opts.method ?? "GET",
        path: opts.path ?? "/metrics",
        headers: opts.headers ?? {},
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await closeServer(s);
});

/** A server on a free loopback port whose /metrics answers with how often it was asked. */
async function serve(settings: Partial<ServerSettings> = {}) {
  let scrapes = 0;
  const routes: Routes = {
    metrics: async () => {
      scrapes++;
      return { status: 200, headers: { "Content-Type": "text/plain" }, body: "up 1\n" };
    },
    landing: () => ({
      status: 200,
      headers: { "Content-Type": "text/html" },
      body: "<p>landing</p>",
    }),
  };
  const server = await createExportServer(routes, { tls: null, auth: null, ...settings });
  servers.push(server);
  const { port } = await listenOn(server, { host: "127.0.0.1", port: 0 });
  return { server, port, scrapes: () => scrapes };
}

describe("the exporter's routes", () => {
  it("serves /metrics and the landing page, GET and HEAD alike", async () => {
    const { port, scrapes } = await serve();
    const metrics = await ask(port, { path: "/metrics?debug=1" });
    expect([metrics.status, metrics.body]).toEqual([200, "up 1\n"]);
    expect((await ask(port, { path: "/" })).body).toBe("<p>landing</p>");
    const head = await ask(port, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-length"]).toBe("5");
    expect(scrapes()).toBe(2);
  });

  it("answers 404 for any other path and 405 for other methods, without scraping", async () => {
    const { port, scrapes } = await serve();
    for (const path of ["/metric", "/metrics/", "/favicon.ico", "//metrics"]) {
      const r = await ask(port, { path });
      expect(r.status, path).toBe(404);
      expect(r.body).toMatch(/^Not Found: synq serves \/metrics/);
    }
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const r = await ask(port, { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe("GET, HEAD");
    }
    expect(scrapes()).toBe(0);
  });

  it("asks for credentials before anything else, and lets the right ones through", async () => {
    const auth = new BasicAuth(new Map([["prometheus", bcrypt.hashSync("s3cret", 4)]]));
    const { port, scrapes } = await serve({ auth });
    const basic = (user: string, password: string) => ({
      Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    });
    for (const headers of [
      {},
      basic("prometheus", "wrong"),
      basic("nobody", "s3cret"),
      { Authorization: "Bearer x" },
    ]) {
      for (const path of ["/metrics", "/", "/secret-path"]) {
        const r = await ask(port, { path, headers });
        expect(r.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.headers["www-authenticate"]).toBe('Basic realm="synq", charset="UTF-8"');
        expect(r.body).toBe("Unauthorized\n");
      }
    }
    expect(scrapes()).toBe(0);
    const ok = await ask(port, { headers: basic("prometheus", "s3cret") });
    expect([ok.status, ok.body]).toEqual([200, "up 1\n"]);
    expect((await ask(port, { path: "/x", headers: basic("prometheus", "s3cret") })).status).toBe(
      404,
    );
  });

  it("answers a scrape while another client holds a connection open and sends nothing", async () => {
    const { port, scrapes } = await serve({ timeouts: { headersMs: 500, checkIntervalMs: 100 } });
    const silent = connect(port, "127.0.0.1");
    const partial = connect(port, "127.0.0.1");
    sockets.push(silent, partial);
    await Promise.all([once(silent, "connect"), once(partial, "connect")]);
    // One sends nothing at all, the other half a request head and then nothing.
    partial.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    let silentClosed = false;
    silent.resume(); // reads what the server sends, so its closing is seen
    silent.on("close", () => {
      silentClosed = true;
    });
    const r = await ask(port);
    expect(r.status).toBe(200);
    expect(silentClosed).toBe(false);
    expect(scrapes()).toBe(1);
    // The server closes both once headersMs has passed (408 for the one that started).
    let partialAnswer = "";
    partial.setEncoding("utf8").on("data", (d: string) => {
      partialAnswer += d;
    });
    await Promise.all([once(silent, "close"), once(partial, "close")]);
    expect(partialAnswer).toMatch(/^HTTP\/1\.1 408 /);
    expect(scrapes()).toBe(1);
  });

  it("refuses a port in use with one line naming it", async () => {
    const { port } = await serve();
    const second = await createExportServer(
      {
        metrics: async () => ({ status: 200, body: "" }),
        landing: () => ({ status: 200, body: "" }),
      },
      { tls: null, auth: null },
    );
    const err = await listenOn(second, { host: "127.0.0.1", port }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SynqError);
    expect((err as SynqError).exitCode).toBe(ExitCode.badInput);
    expect((err as SynqError).oneLine()).toBe(
      `cannot listen on 127.0.0.1:${port}: the port is in use; stop what listens there (ss -ltnp 'sport = :${port}') or choose another with --listen`,
    );
  });
});

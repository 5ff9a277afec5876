import { createServer, type Server, type Socket } from "node:net";
import type { Writable } from "node:stream";

/** A unix socket that qemu connects one guest serial port to, copying what arrives to a stream. */
export interface SerialSink {
  /** Resolves once qemu has closed its end (or the sink was closed unconnected). */
  closed: Promise<void>;
  close(): void;
}

/** Listens on `path`; resolves once listening, before qemu is started. */
export async function listenSerialSink(path: string, sink: Writable): Promise<SerialSink> {
  let connection: Socket | undefined;
  let markClosed = (): void => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const server: Server = createServer((socket) => {
    connection = socket;
    socket.on("data", (chunk: Buffer) => sink.write(chunk));
    socket.on("close", markClosed);
    socket.on("error", markClosed);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, resolve);
  });
  return {
    closed,
    close: () => {
      server.close();
      connection?.destroy();
      markClosed();
    },
  };
}

import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves a hono app on 127.0.0.1 with an ephemeral port, for tests that need real HTTP.
 * `close()` also drops open connections, so a hung request cannot keep it alive.
 */
export async function serveOnLoopback(app: Hono): Promise<LoopbackServer> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: bound once, then released. */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

import type { IncomingMessage, Server, ServerResponse } from "node:http";

export interface ConnectionDrain {
  /** From now on every answer closes its connection. */
  drain(): void;
}

/**
 * Lets `server.close()` finish under load. Close only stops new connections (and closes idle
 * ones): a client that keeps a keep-alive connection busy (Shopify's webhooks, a proxy) could
 * send requests on it for ever, and the process would never exit on SIGTERM. Once draining,
 * every request gets `Connection: close`, so each busy connection ends after its next answer.
 * An answer already in flight still says keep-alive: Node has no public way to reach it, and
 * its connection closes one request later.
 */
export function createConnectionDrain(server: Server): ConnectionDrain {
  let draining = false;
  return {
    drain() {
      if (draining) return;
      draining = true;
      server.on("request", (_req: IncomingMessage, res: ServerResponse) => res.setHeader("connection", "close"));
    },
  };
}

import type { IncomingMessage, Server, ServerResponse } from "node:http";

export interface ConnectionDrain {
  /** From now on every answer, including those still being worked on, closes its connection. */
  drain(): void;
}

/**
 * Lets `server.close()` finish under load. Close only stops new connections: a client that keeps
 * a keep-alive connection busy (Shopify's webhooks, a proxy) could send requests on it for ever,
 * and the process would never exit on SIGTERM. Once draining, answers carry `Connection: close`.
 */
export function trackConnectionsForShutdown(server: Server): ConnectionDrain {
  const open = new Set<ServerResponse>();
  let draining = false;
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  };
  server.on("request", (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) return closeAfter(res);
    open.add(res);
    res.once("close", () => open.delete(res));
  });
  return {
    drain() {
      draining = true;
      for (const res of open) closeAfter(res);
      open.clear();
    },
  };
}

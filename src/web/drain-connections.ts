import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ConnectionDrain {
  /** From now on every answer, including those still being worked on, closes its connection. */
  drain(): void;
}

/**
 * Lets `server.close()` finish under load. Close only stops new connections: a client that keeps
 * a keep-alive connection busy (Shopify's webhooks, a proxy) could send requests on it for ever,
 * and the process would never exit on SIGTERM. Once draining, answers carry `Connection: close`.
 *
 * Connections are tracked, not requests: a listener and a set entry per request measured as
 * about 8 µs a webhook delivery in the ingest benchmark (its allocations outlive the request
 * and cost GC), and nothing is needed per request until the drain starts.
 */
export function trackConnectionsForShutdown(server: Server): ConnectionDrain {
  const sockets = new Set<Socket>();
  let draining = false;
  const closeAfter = (res: ServerResponse | undefined) => {
    if (res && !res.headersSent) res.setHeader("connection", "close");
  };
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return {
    drain() {
      if (draining) return;
      draining = true;
      server.on("request", (_req: IncomingMessage, res: ServerResponse) => closeAfter(res));
      // The answer each connection is working on now (node keeps it on the socket). Without
      // it that connection would still close, one request later.
      for (const socket of sockets) closeAfter((socket as Socket & { _httpMessage?: ServerResponse })._httpMessage);
      sockets.clear();
    },
  };
}

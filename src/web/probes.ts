import type { IncomingMessage, ServerResponse } from "node:http";

/** What `GET /readyz` reports. */
export interface Readiness {
  ready: boolean;
  /** The database answers and every migration is applied. */
  database: boolean;
  /** The queue's storage answers and this instance runs jobs. */
  queue: boolean;
  backend: "sqlite" | "postgres";
}

export interface ProbeOptions {
  /** Whether the database and the queue are ready, and what each said. */
  readiness: () => Promise<Readiness>;
  /** Called with every probe's route, status and server time (request-duration metrics). */
  onResponse: (route: "/healthz" | "/readyz", status: number, seconds: number) => void;
}

/**
 * `GET /healthz` (liveness) and `GET /readyz` (readiness), HEAD too, answered on node:http like
 * `POST /webhooks`. A probe needs neither hono nor the fetch API's Request and Response, so the
 * app is ready before they are loaded (server.ts loads them with the first request that needs
 * them). Returns false, answering nothing, for any other request.
 */
export function createProbeListener(options: ProbeOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return function probe(req, res) {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    if (path !== "/healthz" && path !== "/readyz") return false;
    const started = performance.now();
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      options.onResponse(path, status, (performance.now() - started) / 1000);
    };
    if (path === "/healthz") {
      answer(200, { ok: true });
    } else {
      options.readiness().then(
        (readiness) => answer(readiness.ready ? 200 : 503, readiness),
        () => answer(503, { ready: false }),
      );
    }
    return true;
  };
}

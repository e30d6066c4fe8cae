import type { IncomingMessage, ServerResponse } from "node:http";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createWebhookHandler, MAX_WEBHOOK_BODY_BYTES, type WebhookHandlerOptions, type WebhookReply } from "./webhook-handler.ts";

export { MAX_WEBHOOK_BODY_BYTES, type WebhookOutcome } from "./webhook-handler.ts";

export type WebhookRouteOptions = WebhookHandlerOptions;

/**
 * `POST /webhooks` as a hono route. The server answers webhooks with `createWebhookListener`
 * below instead; this one serves `app.request()` in tests and any host that only speaks fetch.
 */
export function createWebhookRoute(options: WebhookRouteOptions): Hono {
  const handle = createWebhookHandler(options);
  const app = new Hono();
  app.post(
    "/",
    bodyLimit({ maxSize: MAX_WEBHOOK_BODY_BYTES, onError: (c) => {
      options.onOutcome?.("unknown", "too_large");
      // The rest of the body is never read: the socket cannot be reused.
      return c.json({ error: "body larger than 1 MiB" }, 413, { Connection: "close" });
    } }),
    async (c) => {
      const reply = await handle(new Uint8Array(await c.req.arrayBuffer()), (name) => c.req.header(name));
      return reply.status === 200 ? c.body(null, 200) : c.json({ error: reply.error }, reply.status);
    },
  );
  return app;
}

export interface WebhookListenerOptions extends WebhookHandlerOptions {
  /** Called with every answer's status and server time (request-duration metrics). */
  onResponse?: (status: number, seconds: number) => void;
}

/**
 * `POST /webhooks` straight on node:http. This is the hot path (Shopify sends every order of
 * every shop), and in its CPU profile the fetch adapter's Request, body stream and Response
 * took about 30% per delivery, so the raw body is read from the socket here.
 */
export function createWebhookListener(options: WebhookListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = createWebhookHandler(options);
  const { logger } = options;
  const onResponse = options.onResponse ?? (() => {});

  return function webhookListener(req, res) {
    const started = performance.now();
    let rejected = false;
    const answer = (status: number, error: string | null, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.statusCode = status;
      if (error !== null) res.setHeader("content-type", "application/json");
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      res.end(error === null ? undefined : JSON.stringify({ error }));
      onResponse(status, (performance.now() - started) / 1000);
    };
    const send = (reply: WebhookReply) => answer(reply.status, reply.status === 200 ? null : reply.error ?? null);
    const fail = (err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err), path: "/webhooks" }, "webhook not stored");
      answer(500, "internal error");
    };
    const tooLarge = () => {
      rejected = true;
      options.onOutcome?.("unknown", "too_large");
      req.removeAllListeners("data").pause();
      // The rest of the body is never read: the socket cannot be reused.
      answer(413, "body larger than 1 MiB", { connection: "close" });
    };
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > MAX_WEBHOOK_BODY_BYTES) return tooLarge();

    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BODY_BYTES) tooLarge();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (rejected) return;
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      let reply: WebhookReply | Promise<WebhookReply>;
      try {
        reply = handle(raw, (name) => {
          const value = req.headers[name];
          return Array.isArray(value) ? value.join(", ") : value;
        });
      } catch (err) {
        return fail(err);
      }
      if (reply instanceof Promise) reply.then(send, fail);
      else send(reply);
    });
  };
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { createWebhookHandler, MAX_WEBHOOK_BODY_BYTES, type WebhookHandler, type WebhookHandlerOptions, type WebhookReply, type WebhookReplySink } from "./webhook-handler.ts";

export { MAX_WEBHOOK_BODY_BYTES, type WebhookOutcome } from "./webhook-handler.ts";

export interface WebhookListenerOptions extends WebhookHandlerOptions {
  /** Called with every answer's status and server time (request-duration metrics). */
  onResponse?: (status: number, seconds: number) => void;
}

/**
 * `POST /webhooks`, straight on node:http: its one transport (the server sends it every POST to
 * /webhooks before hono sees the request). This is the hot path (Shopify sends every order of
 * every shop), and in its CPU profile the fetch adapter's Request, body stream and Response
 * took about 30% per delivery, so the raw body is read from the socket here. The listeners are
 * shared functions with the delivery's state on the request, not closures made per delivery:
 * in the ingest benchmark, per-request allocations cost far more than their own work (GC).
 */
export function createWebhookListener(options: WebhookListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const context: ListenerContext = {
    handle: createWebhookHandler(options),
    logger: options.logger,
    onResponse: options.onResponse ?? (() => {}),
    onTooLarge: () => options.onOutcome?.("unknown", "too_large"),
  };
  return function webhookListener(req, res) {
    const delivery = new Delivery(context, res);
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > MAX_WEBHOOK_BODY_BYTES) return tooLarge(req, delivery);
    (req as DeliveryRequest)[DELIVERY] = delivery;
    req.on("data", onData);
    req.on("end", onEnd);
  };
}

interface ListenerContext {
  handle: WebhookHandler;
  logger: WebhookListenerOptions["logger"];
  onResponse: (status: number, seconds: number) => void;
  onTooLarge: () => void;
}

/** One delivery's state, and where its handler answers (methods on the prototype: no closures). */
class Delivery implements WebhookReplySink {
  readonly context: ListenerContext;
  readonly res: ServerResponse;
  readonly started = performance.now();
  readonly chunks: Buffer[] = [];
  size = 0;
  rejected = false;

  constructor(context: ListenerContext, res: ServerResponse) {
    this.context = context;
    this.res = res;
  }

  reply(reply: WebhookReply): void {
    answer(this, reply.status, reply.status === 200 ? null : reply.error ?? null, false);
  }

  fail(err: unknown): void {
    this.context.logger.error({ err: err instanceof Error ? err.message : String(err), path: "/webhooks" }, "webhook not stored");
    answer(this, 500, "internal error", false);
  }
}

const DELIVERY = Symbol("webhook delivery");
type DeliveryRequest = IncomingMessage & { [DELIVERY]: Delivery };

function onData(this: DeliveryRequest, chunk: Buffer): void {
  const delivery = this[DELIVERY];
  delivery.size += chunk.length;
  if (delivery.size > MAX_WEBHOOK_BODY_BYTES) tooLarge(this, delivery);
  else delivery.chunks.push(chunk);
}

function onEnd(this: DeliveryRequest): void {
  const delivery = this[DELIVERY];
  if (delivery.rejected) return;
  const { chunks, size } = delivery;
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  const headers = this.headers;
  try {
    delivery.context.handle(raw, (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    }, delivery);
  } catch (err) {
    delivery.fail(err);
  }
}

function tooLarge(req: IncomingMessage, delivery: Delivery): void {
  delivery.rejected = true;
  delivery.context.onTooLarge();
  req.removeAllListeners("data").pause();
  // The rest of the body is never read: the socket cannot be reused.
  answer(delivery, 413, "body larger than 1 MiB", true);
}

function answer(delivery: Delivery, status: number, error: string | null, closeConnection: boolean): void {
  const { res } = delivery;
  if (res.headersSent) return;
  res.statusCode = status;
  if (error !== null) res.setHeader("content-type", "application/json");
  if (closeConnection) res.setHeader("connection", "close");
  res.end(error === null ? undefined : JSON.stringify({ error }));
  delivery.context.onResponse(status, (performance.now() - delivery.started) / 1000);
}

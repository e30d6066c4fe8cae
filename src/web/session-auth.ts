import type { MiddlewareHandler } from "hono";
import type { Logger } from "../logger.ts";
import type { SessionTokenVerifier } from "../shopify/session-token.ts";
import type { AppEnv } from "./app-env.ts";

/**
 * Requires `Authorization: Bearer <session token>`. A bad token gets 401 JSON with the header
 * App Bridge's fetch answers by retrying once with a fresh token; nothing else happens.
 */
export function sessionAuth(verifier: SessionTokenVerifier, logger: Logger): MiddlewareHandler<AppEnv> {
  return async function sessionAuthMiddleware(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
    const result = match?.[1] ? await verifier.verify(match[1]) : { ok: false as const, reason: "missing" };
    if (!result.ok) {
      logger.info({ scope: "auth", reason: result.reason, path: c.req.path }, "session token rejected");
      c.header("X-Shopify-Retry-Invalid-Session-Request", "1");
      return c.json({ error: "invalid session token", code: "invalid_session", reason: result.reason }, 401);
    }
    c.set("shop", result.shop);
    c.set("sessionToken", match![1]!);
    await next();
  };
}

import { hash, timingSafeEqual } from "node:crypto";

/**
 * Signs and verifies Shopify webhook bodies: base64 HMAC-SHA256 of the raw bytes with the
 * app secret.
 */
export interface WebhookSigner {
  sign(rawBody: Uint8Array | string): string;
  /** Constant-time check of an `X-Shopify-Hmac-Sha256` header value. */
  verify(rawBody: Uint8Array | string, headerValue: string | undefined | null): boolean;
}

export function createWebhookSigner(appSecret: string): WebhookSigner {
  const digest = hmacSha256(Buffer.from(appSecret, "utf8"));
  return {
    sign: (body) => digest(body).toString("base64"),
    verify(body, headerValue) {
      if (!headerValue) return false;
      const value = headerValue.trim();
      // Strict base64 of a 32-byte digest: 44 characters ending in one "=".
      if (!/^[A-Za-z0-9+/]{43}=$/.test(value)) return false;
      return timingSafeEqual(digest(body), Buffer.from(value, "base64"));
    },
  };
}

const BLOCK_BYTES = 64;

/**
 * HMAC-SHA256 (RFC 2104) from two one-shot `crypto.hash` calls over key blocks padded once.
 * Why not `createHmac` (with a KeyObject made once): on the webhook hot path its Hmac object, a
 * stream made per call, costs more. Measured with `npm run bench:ab`, same run, 5 rounds:
 * `createHmac` took the app's CPU per delivery from 56.3 to 67.7 µs (1.20x) and webhook
 * throughput to 0.92x. The property test checks this against `createHmac` for any key and body.
 */
export function hmacSha256(key: Buffer): (message: Uint8Array | string) => Buffer {
  const block = Buffer.alloc(BLOCK_BYTES);
  (key.length > BLOCK_BYTES ? hash("sha256", key, "buffer") : key).copy(block);
  const innerPad = Buffer.from(block.map((b) => b ^ 0x36));
  const outerPad = Buffer.from(block.map((b) => b ^ 0x5c));
  return (message) => {
    const bytes = typeof message === "string" ? Buffer.from(message, "utf8") : message;
    const inner = hash("sha256", Buffer.concat([innerPad, bytes]), "buffer");
    return hash("sha256", Buffer.concat([outerPad, inner]), "buffer");
  };
}

import { createHmac } from "node:crypto";
import { SANDBOX_API_KEY, SANDBOX_API_SECRET } from "../../../src/config.ts";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Claims App Bridge would put in a session token for `shop`, valid for a minute from now. */
export function claimsFor(shop: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: `https://${shop}/admin`, dest: `https://${shop}`, aud: SANDBOX_API_KEY, sub: "1", exp: now + 60, nbf: now, iat: now, jti: "j", sid: "s", ...overrides };
}

/** An HS256 JWT over exactly these claims (and header), signed with `secret`. */
export function signToken(claims: Record<string, unknown>, options: { secret?: string; header?: Record<string, unknown> } = {}): string {
  const input = `${b64url(options.header ?? { alg: "HS256", typ: "JWT" })}.${b64url(claims)}`;
  return `${input}.${createHmac("sha256", options.secret ?? SANDBOX_API_SECRET).update(input).digest("base64url")}`;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

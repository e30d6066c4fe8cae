import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSessionTokenSigner, createSessionTokenVerifier } from "./session-token.ts";

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret";
const SHOP = "my-shop.myshopify.com";
const NOW_MS = Date.UTC(2026, 10, 27, 8, 0, 0);
const NOW_S = NOW_MS / 1000;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT with any header and claims, signed with HMAC-SHA-`bits` (or not signed at all). */
function rawToken(claims: Record<string, unknown>, options: { header?: Record<string, unknown>; secret?: string; bits?: 256 | 512 } = {}): string {
  const header = options.header ?? { alg: "HS256", typ: "JWT" };
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signature = createHmac(`sha${options.bits ?? 256}`, options.secret ?? API_SECRET).update(input).digest("base64url");
  return `${input}.${signature}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: `https://${SHOP}/admin`,
    dest: `https://${SHOP}`,
    aud: API_KEY,
    sub: "42",
    exp: NOW_S + 60,
    nbf: NOW_S - 5,
    iat: NOW_S - 5,
    jti: "00000000-0000-4000-8000-000000000000",
    sid: "session-id",
    ...overrides,
  };
}

const verifier = createSessionTokenVerifier({ apiKey: API_KEY, apiSecret: API_SECRET, now: () => NOW_MS });

describe("createSessionTokenVerifier", () => {
  it("accepts a valid token and names the shop", async () => {
    const result = await verifier.verify(rawToken(claims()));
    expect(result).toEqual({ ok: true, shop: SHOP, claims: claims() });
  });

  it("accepts a token made by the signer", async () => {
    const token = createSessionTokenSigner({ apiKey: API_KEY, apiSecret: API_SECRET }).sign({ shop: SHOP, now: NOW_MS });
    const result = await verifier.verify(token);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.shop).toBe(SHOP);
    expect(result.claims).toMatchObject({
      iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: API_KEY, sub: "1", exp: NOW_S + 60, nbf: NOW_S, iat: NOW_S,
    });
    expect(result.claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.claims.sid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("accepts a token without sub", async () => {
    const { sub: _sub, ...rest } = claims();
    expect((await verifier.verify(rawToken(rest))).ok).toBe(true);
  });

  it.each([
    ["a forged signature", rawToken(claims(), { secret: "another-secret" }), "invalid_signature"],
    ["a signature of another token", `${rawToken(claims()).split(".").slice(0, 2).join(".")}.${rawToken(claims({ sub: "7" })).split(".")[2]}`, "invalid_signature"],
    ["alg none without signature", `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims())}.`, "unsupported_algorithm"],
    ["alg none with a signature", rawToken(claims(), { header: { alg: "none" } }), "unsupported_algorithm"],
    ["HS512", rawToken(claims(), { header: { alg: "HS512", typ: "JWT" }, bits: 512 }), "unsupported_algorithm"],
    ["RS256", rawToken(claims(), { header: { alg: "RS256", typ: "JWT" } }), "unsupported_algorithm"],
    ["expired 11 s ago", rawToken(claims({ exp: NOW_S - 11 })), "expired"],
    ["expired exactly 10 s ago", rawToken(claims({ exp: NOW_S - 10 })), "expired"],
    ["not valid for another 11 s", rawToken(claims({ nbf: NOW_S + 11 })), "not_yet_valid"],
    ["another app's aud", rawToken(claims({ aud: "another-api-key" })), "invalid_audience"],
    ["aud as an array holding our key", rawToken(claims({ aud: [API_KEY] })), "invalid_audience"],
    ["dest of another shop than iss", rawToken(claims({ dest: "https://other.myshopify.com" })), "invalid_issuer"],
    ["iss of another shop than dest", rawToken(claims({ iss: "https://other.myshopify.com/admin" })), "invalid_issuer"],
    ["iss without /admin", rawToken(claims({ iss: `https://${SHOP}` })), "invalid_issuer"],
    ["dest not myshopify", rawToken(claims({ dest: "https://evil.com", iss: "https://evil.com/admin" })), "invalid_destination"],
    ["dest over http", rawToken(claims({ dest: `http://${SHOP}`, iss: `http://${SHOP}/admin` })), "invalid_destination"],
    ["dest with a path", rawToken(claims({ dest: `https://${SHOP}/x`, iss: `https://${SHOP}/x/admin` })), "invalid_destination"],
    ["dest with a port", rawToken(claims({ dest: `https://${SHOP}:443`, iss: `https://${SHOP}:443/admin` })), "invalid_destination"],
    ["dest in upper case", rawToken(claims({ dest: "https://MY-SHOP.myshopify.com", iss: "https://MY-SHOP.myshopify.com/admin" })), "invalid_destination"],
    ["dest suffixed by another domain", rawToken(claims({ dest: `https://${SHOP}.evil.com`, iss: `https://${SHOP}.evil.com/admin` })), "invalid_destination"],
    ["dest as a number", rawToken(claims({ dest: 1 })), "invalid_destination"],
    ["exp as a string", rawToken(claims({ exp: String(NOW_S + 60) })), "malformed"],
    ["sub as a number", rawToken(claims({ sub: 42 })), "malformed"],
    ["a critical header extension", rawToken(claims(), { header: { alg: "HS256", crit: ["b64"], b64: true } }), "malformed"],
    ["a payload that is not ASCII", `${b64url({ alg: "HS256" })}.é${b64url(claims())}.${rawToken(claims()).split(".")[2]}`, "malformed"],
    ["a signature in standard base64", `${rawToken(claims()).split(".").slice(0, 2).join(".")}.${createHmac("sha256", API_SECRET).update(rawToken(claims()).split(".").slice(0, 2).join(".")).digest("base64")}`, "malformed"],
    ["nbf as a string before an expired exp", rawToken(claims({ nbf: "soon", exp: NOW_S - 60 })), "malformed"],
  ])("rejects %s", async (_label, token, reason) => {
    expect(await verifier.verify(token)).toEqual({ ok: false, reason });
  });

  it.each(["exp", "nbf", "aud", "dest", "iss"])("rejects a token without %s", async (claim) => {
    const { [claim]: _dropped, ...rest } = claims();
    expect(await verifier.verify(rawToken(rest))).toEqual({ ok: false, reason: "missing_claim" });
  });

  it.each([
    ["expired 9 s ago", claims({ exp: NOW_S - 9 })],
    ["valid in 10 s", claims({ nbf: NOW_S + 10 })],
  ])("accepts a token %s (10 s tolerance)", async (_label, payload) => {
    expect((await verifier.verify(rawToken(payload))).ok).toBe(true);
  });

  it("caps a larger tolerance at 10 s", async () => {
    const lenient = createSessionTokenVerifier({ apiKey: API_KEY, apiSecret: API_SECRET, now: () => NOW_MS, clockToleranceS: 60 });
    expect(await lenient.verify(rawToken(claims({ exp: NOW_S - 11 })))).toEqual({ ok: false, reason: "expired" });
  });

  it("honours a smaller tolerance", async () => {
    const strict = createSessionTokenVerifier({ apiKey: API_KEY, apiSecret: API_SECRET, now: () => NOW_MS, clockToleranceS: 0 });
    expect(await strict.verify(rawToken(claims({ exp: NOW_S - 1 })))).toEqual({ ok: false, reason: "expired" });
    expect((await strict.verify(rawToken(claims({ exp: NOW_S + 1 })))).ok).toBe(true);
  });

  it("reads the time from the injected clock", async () => {
    const token = rawToken(claims());
    const later = createSessionTokenVerifier({ apiKey: API_KEY, apiSecret: API_SECRET, now: () => NOW_MS + 71_000 });
    expect(await later.verify(token)).toEqual({ ok: false, reason: "expired" });
  });

  it.each([
    ["empty", ""],
    ["garbage", "not a token"],
    ["three dots", "..."],
    ["two dots", ".."],
    ["four parts", `${rawToken(claims())}.extra`],
    ["base64 garbage", "a.b.c"],
    ["a JSON array payload", `${b64url({ alg: "HS256" })}.${b64url([1, 2])}.sig`],
    ["a header that is not JSON", `bm90IGpzb24.${b64url(claims())}.sig`],
    ["a huge token", "a".repeat(100_000)],
    ["Bearer prefix", `Bearer ${rawToken(claims())}`],
  ])("rejects %s as malformed without throwing", async (_label, token) => {
    const result = await verifier.verify(token);
    expect(result.ok).toBe(false);
  });

  it.each([[undefined], [null], [42], [{}]])("rejects the non-string %j without throwing", async (value) => {
    expect(await verifier.verify(value as unknown as string)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a token signed for another secret but same key", async () => {
    const other = createSessionTokenSigner({ apiKey: API_KEY, apiSecret: "other-secret" }).sign({ shop: SHOP, now: NOW_MS });
    expect(await verifier.verify(other)).toEqual({ ok: false, reason: "invalid_signature" });
  });
});

describe("createSessionTokenSigner", () => {
  it("writes an HS256 JWT header and a 60 s lifetime by default", () => {
    const token = createSessionTokenSigner({ apiKey: API_KEY, apiSecret: API_SECRET }).sign({ shop: SHOP, now: NOW_MS + 999 });
    const [header, payload] = token.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>);
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toMatchObject({ nbf: NOW_S, iat: NOW_S, exp: NOW_S + 60 });
  });

  it("takes a lifetime and a user", () => {
    const token = createSessionTokenSigner({ apiKey: API_KEY, apiSecret: API_SECRET }).sign({ shop: SHOP, now: NOW_MS, ttlS: 5, sub: "99" });
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    expect(payload).toMatchObject({ exp: NOW_S + 5, sub: "99" });
  });
});

import { createHmac, createSecretKey, randomUUID, type KeyObject } from "node:crypto";
// jose's subpaths, not its root: the root loads all of JOSE (46 modules, ~30 ms of start-up).
import * as joseErrors from "jose/errors";
import { jwtVerify } from "jose/jwt/verify";
import { parseShopDomain } from "./shop-domain.ts";

/** The claims of a Shopify session (ID) token, as App Bridge issues them. */
export interface SessionTokenClaims {
  /** `https://<shop>/admin` */
  iss: string;
  /** `https://<shop>` */
  dest: string;
  /** The app's API key (client id). */
  aud: string;
  /** The staff user's id; absent for some token kinds. */
  sub?: string;
  exp: number;
  nbf: number;
  iat?: number;
  jti?: string;
  sid?: string;
}

export const SESSION_TOKEN_FAILURE_REASONS = [
  "malformed",
  "unsupported_algorithm",
  "invalid_signature",
  "missing_claim",
  "expired",
  "not_yet_valid",
  "invalid_audience",
  "invalid_destination",
  "invalid_issuer",
] as const;
export type SessionTokenFailureReason = (typeof SESSION_TOKEN_FAILURE_REASONS)[number];

export type SessionTokenResult =
  | { ok: true; shop: string; claims: SessionTokenClaims }
  | { ok: false; reason: SessionTokenFailureReason };

export interface SessionTokenVerifier {
  /** Checks a bearer/`id_token` value; never throws for bad input. */
  verify(token: string): Promise<SessionTokenResult>;
}

export interface SessionTokenVerifierOptions {
  apiKey: string;
  apiSecret: string;
  /** Epoch milliseconds. @default Date.now */
  now?: () => number;
  /** Allowed clock skew for `exp`/`nbf`, in seconds; capped at 10 (the CONTRACT). @default 10 */
  clockToleranceS?: number;
}

const REQUIRED_CLAIMS = ["exp", "nbf", "aud", "iss", "dest"];
const MAX_CLOCK_TOLERANCE_S = 10;
/** Real tokens are ~500 bytes; refuse megabytes of base64 before decoding any of it. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Verifies session tokens the way the CONTRACT pins them: HS256 with the app secret only;
 * `aud` equal to the API key; `dest` exactly `https://<valid *.myshopify.com>`; `iss` equal
 * to `dest + "/admin"` (the Shopify library does not compare these); `exp` and `nbf` present
 * and checked with at most 10 s of tolerance.
 * @see https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
 */
export function createSessionTokenVerifier(options: SessionTokenVerifierOptions): SessionTokenVerifier {
  const key: KeyObject = createSecretKey(Buffer.from(options.apiSecret, "utf8"));
  const now = options.now ?? Date.now;
  const clockTolerance = Math.min(Math.max(options.clockToleranceS ?? MAX_CLOCK_TOLERANCE_S, 0), MAX_CLOCK_TOLERANCE_S);
  const fail = (reason: SessionTokenFailureReason): SessionTokenResult => ({ ok: false, reason });

  return {
    async verify(token) {
      if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return fail("malformed");
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          clockTolerance,
          currentDate: new Date(now()),
          requiredClaims: REQUIRED_CLAIMS,
        }));
      } catch (err) {
        return fail(joseFailureReason(err));
      }
      const { aud, dest, iss, sub } = payload;
      if (typeof aud !== "string" || aud !== options.apiKey) return fail("invalid_audience");
      if (typeof dest !== "string" || !dest.startsWith("https://")) return fail("invalid_destination");
      const shop = parseShopDomain(dest.slice("https://".length));
      if (shop === null) return fail("invalid_destination");
      if (iss !== `${dest}/admin`) return fail("invalid_issuer");
      if (sub !== undefined && typeof sub !== "string") return fail("malformed");
      return { ok: true, shop, claims: payload as unknown as SessionTokenClaims };
    },
  };
}

function joseFailureReason(err: unknown): SessionTokenFailureReason {
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return "unsupported_algorithm";
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return "invalid_signature";
  if (err instanceof joseErrors.JWTExpired) return "expired";
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.reason === "missing") return "missing_claim";
    if (err.claim === "nbf" && err.reason === "check_failed") return "not_yet_valid";
  }
  // JWSInvalid, JWTInvalid, JOSENotSupported, claim type errors, anything unforeseen.
  return "malformed";
}

export interface SignSessionTokenOptions {
  shop: string;
  /** Issue time, epoch milliseconds. */
  now: number;
  /** Lifetime in seconds; Shopify's tokens live 60 s. @default 60 */
  ttlS?: number;
  /** Staff user id. @default "1" */
  sub?: string;
}

export interface SessionTokenSigner {
  /** A token in Shopify's format (`iss/dest/aud/sub/exp/nbf/iat/jti/sid`), HS256-signed. */
  sign(options: SignSessionTokenOptions): string;
}

/**
 * Mints session tokens as App Bridge would, for tests and the sandbox page (where there is no
 * Shopify admin to mint them). Never used to authenticate anything.
 */
export function createSessionTokenSigner(options: { apiKey: string; apiSecret: string }): SessionTokenSigner {
  const key = createSecretKey(Buffer.from(options.apiSecret, "utf8"));
  return {
    sign({ shop, now, ttlS = 60, sub = "1" }) {
      const iat = Math.floor(now / 1000);
      const claims: SessionTokenClaims = {
        iss: `https://${shop}/admin`,
        dest: `https://${shop}`,
        aud: options.apiKey,
        sub,
        exp: iat + ttlS,
        nbf: iat,
        iat,
        jti: randomUUID(),
        sid: randomUUID(),
      };
      return signJwt({ alg: "HS256", typ: "JWT" }, claims, key);
    },
  };
}

function signJwt(header: object, payload: object, key: KeyObject): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

import type { Logger } from "../logger.ts";
import {
  MouseStatsInvalidArgumentError,
  MouseStatsPermissionDeniedError,
  MouseStatsUnexpectedReplyError,
} from "./errors.ts";
import type { MouseStatsOperation } from "./errors.ts";
import { parseGetAccountReply } from "./get-account-reply.ts";
import type { MouseStatsAccount } from "./get-account-reply.ts";
import { assertValidHours, buildLoginUrl, isLoginToken } from "./login-token.ts";
import { containsSecret } from "./redact.ts";
import { normalizeReplyText } from "./reply-text.ts";
import { sendRequest } from "./send-request.ts";
import type { CallRecord, RequestContext } from "./send-request.ts";

export type { MouseStatsAccount, MouseStatsUsage } from "./get-account-reply.ts";
export type { CallOutcome, CallRecord } from "./send-request.ts";

export interface MouseStatsClientOptions {
  /** Base of `/CreateAccount`, `/GetAccount`, `/GenerateLoginToken`, e.g. `https://ssl.mousestats.com/api`. */
  baseUrl: string;
  /** The doLogin page the merchant's browser is sent to, e.g. `http://www.mousestats.com/api/doLogin`. */
  loginUrl: string;
  partnerId: string;
  partnerSecret: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per call, including reading the body. @default 10_000 */
  timeoutMs?: number;
  logger: Logger;
  /** Clock for `Retry-After` dates. @default Date.now */
  now?: () => number;
  /** Told of every request once it ends (metrics). */
  onCall?: (call: CallRecord) => void;
}

export interface CreateAccountInput {
  email: string;
  password: string;
  /** Sent as `_activeFreePlan=true|false`. */
  activeFreePlan: boolean;
}

export interface CreateAccountResult {
  /** The undocumented reply, at most 200 characters, for logs; `[redacted]` if it echoed the password. */
  replyText: string;
}

export type GetAccountResult = { found: true; account: MouseStatsAccount } | { found: false };

export interface CallOptions {
  /** Aborts the call; its reason is thrown as is. */
  signal?: AbortSignal;
}

export interface MouseStatsClient {
  createAccount(input: CreateAccountInput, options?: CallOptions): Promise<CreateAccountResult>;
  getAccount(email: string, options?: CallOptions): Promise<GetAccountResult>;
  generateLoginToken(email: string, validHours?: number, options?: CallOptions): Promise<string>;
  loginUrl(token: string): string;
}

const MAX_REPLY_TEXT_LENGTH = 200;

function requireNonEmpty(operation: MouseStatsOperation, argument: string, value: string): void {
  if (typeof value === "string" && value.trim() !== "") return;
  throw new MouseStatsInvalidArgumentError({ operation, argument, detail: "must be a non-empty string" });
}

/** A bad URL is a configuration mistake: fail at start, not as a retried "network error". */
function requireHttpUrl(name: string, value: string): void {
  if (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)) return;
  throw new TypeError(`MouseStats ${name} must be an http(s) URL`);
}

/**
 * A client for the MouseStats Reseller API (every call an HTTP GET with the partner credentials
 * in the query string).
 * Behaviour follows the MouseStats "Reseller API" document (shared/spec/mousestats-reseller-api.txt).
 */
export function createMouseStatsClient(options: MouseStatsClientOptions): MouseStatsClient {
  requireHttpUrl("baseUrl", options.baseUrl);
  requireHttpUrl("loginUrl", options.loginUrl);
  const context: RequestContext = {
    baseUrl: options.baseUrl,
    partnerId: options.partnerId,
    partnerSecret: options.partnerSecret,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 10_000,
    logger: options.logger,
    now: options.now ?? Date.now,
    onCall: options.onCall,
  };

  return {
    /**
     * CreateAccount. Its reply is undocumented, so success is not inferred from it: confirm
     * with getAccount (also after a timeout: the account may have been created anyway).
     * @throws MouseStatsPermissionDeniedError for `permission-denied`
     */
    async createAccount(input, callOptions) {
      requireNonEmpty("CreateAccount", "email", input.email);
      requireNonEmpty("CreateAccount", "password", input.password);
      const reply = await sendRequest(context, {
        operation: "CreateAccount",
        email: input.email,
        params: [
          ["_userEmail", input.email],
          ["_userPassword", input.password],
          ["_activeFreePlan", input.activeFreePlan ? "true" : "false"],
        ],
        secrets: [input.password],
        signal: callOptions?.signal,
      });
      const text = normalizeReplyText(reply.body);
      const isUnsafe = containsSecret(text, [input.password, options.partnerSecret]);
      return { replyText: isUnsafe ? "[redacted]" : text.slice(0, MAX_REPLY_TEXT_LENGTH) };
    },

    /**
     * GetAccount. `permission-denied` means "no such user" or "wrong partner credentials"
     * (MouseStats does not say which) and is returned as `{ found: false }`.
     */
    async getAccount(email, callOptions) {
      requireNonEmpty("GetAccount", "email", email);
      try {
        const reply = await sendRequest(context, {
          operation: "GetAccount",
          email,
          params: [["_userEmail", email]],
          signal: callOptions?.signal,
        });
        if (normalizeReplyText(reply.body) === "") {
          const status = reply.status;
          throw new MouseStatsUnexpectedReplyError({ operation: "GetAccount", status, reason: "empty-body" });
        }
        return { found: true, account: parseGetAccountReply(reply.body, reply.status) };
      } catch (err) {
        if (err instanceof MouseStatsPermissionDeniedError) return { found: false };
        throw err;
      }
    },

    /**
     * GenerateLoginToken: a token for the doLogin page, valid `validHours` hours.
     * @param validHours integer 1..24, checked before any request. @default 1
     * @throws MouseStatsPermissionDeniedError for `permission-denied` (unknown user or bad credentials)
     */
    async generateLoginToken(email, validHours = 1, callOptions) {
      assertValidHours(validHours);
      requireNonEmpty("GenerateLoginToken", "email", email);
      const reply = await sendRequest(context, {
        operation: "GenerateLoginToken",
        email,
        params: [
          ["_userEmail", email],
          ["_validHours", String(validHours)],
        ],
        signal: callOptions?.signal,
      });
      const text = normalizeReplyText(reply.body);
      if (isLoginToken(text)) return text;
      throw new MouseStatsUnexpectedReplyError({
        operation: "GenerateLoginToken",
        status: reply.status,
        reason: text === "" ? "empty-body" : "invalid-token",
      });
    },

    /** The doLogin URL for a token: `loginUrl?_token=<token>` (or `&_token=`). */
    loginUrl(token) {
      return buildLoginUrl(options.loginUrl, token);
    },
  };
}

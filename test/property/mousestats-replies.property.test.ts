import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSilentLogger } from "../../src/logger.ts";
import { createMouseStatsClient } from "../../src/mousestats/client.ts";
import { MouseStatsError, MouseStatsUnexpectedReplyError } from "../../src/mousestats/errors.ts";
import { parseGetAccountReply } from "../../src/mousestats/get-account-reply.ts";
import { isLoginToken } from "../../src/mousestats/login-token.ts";
import { isPermissionDenied, looksLikeHtml, normalizeReplyText } from "../../src/mousestats/reply-text.ts";
import { parseRetryAfterMs } from "../../src/mousestats/retry-after.ts";

const PARTNER_SECRET = "Prop-Partner-Secret-9f3a";
const PASSWORD = "PropPassword0123456789abcd";
const count = fc.oneof(fc.nat(), fc.integer({ min: -5, max: -1 }), fc.double(), fc.string({ maxLength: 4 }), fc.constant(null));
const accountLike = fc.record({
  Email: fc.oneof(fc.emailAddress().map((e) => `${e}(partner)`), fc.emailAddress(), fc.string({ maxLength: 20 }), fc.integer()),
  PlanName: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
  PlanDaysLeft: count, PlanUsedHeatmapProjects: count, PlanUsedPlaybackProjects: count, PlanUsedHeatmapVisits: count, PlanUsedPlaybackVisits: count,
  Extra: fc.jsonValue({ maxDepth: 2 }),
}, { requiredKeys: [] });
const replyBody = fc.oneof(
  accountLike.map((a) => JSON.stringify(a)), accountLike.map((a) => `\uFEFF${JSON.stringify(a)}`),
  fc.json({ maxDepth: 3 }), fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("permission-denied", " \"PERMISSION-DENIED\" ", "", "<html><body>Service Unavailable</body></html>", "03C879E18F6AA4E15E1EB81C88E91B01", `"${"ab".repeat(16)}"`),
);

describe("MouseStats reply parsing (property)", () => {
  it("GetAccount bodies give an account with sane numbers, or a typed unexpected-reply error", () => {
    fc.assert(fc.property(replyBody, fc.integer({ min: 200, max: 299 }), (body, status) => {
      let account;
      try {
        account = parseGetAccountReply(body, status);
      } catch (err) {
        expect(err).toBeInstanceOf(MouseStatsUnexpectedReplyError);
        expect((err as Error).message).not.toContain(body.length > 12 ? body : "\u0000never");
        return;
      }
      if (account.email !== null) expect(account.email).not.toMatch(/\([^()]*\)$/);
      // Lenient: a figure MouseStats did not give is unknown (null), never a negative or a fraction.
      for (const n of [account.planDaysLeft, ...Object.values(account.usage)]) expect(n === null || (Number.isSafeInteger(n) && n >= 0)).toBe(true);
    }), { numRuns: 1000 });
  });

  it("the text helpers are total: never throw, always answer in their type", () => {
    fc.assert(fc.property(fc.oneof(replyBody, fc.string({ unit: "binary" })), fc.integer(), (text, nowMs) => {
      expect(typeof normalizeReplyText(text)).toBe("string");
      expect(typeof isPermissionDenied(text)).toBe("boolean");
      expect(typeof looksLikeHtml(text)).toBe("boolean");
      expect(typeof isLoginToken(text)).toBe("boolean");
      const retry = parseRetryAfterMs(text, nowMs);
      expect(retry === undefined || (Number.isFinite(retry) && retry >= 0)).toBe(true);
    }), { numRuns: 1000 });
  });

  it("the client turns any reply or network failure into a typed outcome or a MouseStatsError without secrets", async () => {
    const reply = fc.record({
      status: fc.oneof(fc.constantFrom(200, 200, 200, 204, 301, 400, 403, 404, 429, 500, 502, 503, 504), fc.integer({ min: 200, max: 599 })),
      body: replyBody,
      retryAfter: fc.option(fc.oneof(fc.nat({ max: 100 }).map(String), fc.date().map((d) => (Number.isNaN(d.getTime()) ? "x" : d.toUTCString())), fc.string({ maxLength: 10 })), { nil: undefined }),
      echoUrl: fc.boolean(),
      throws: fc.option(fc.constantFrom("reset", "url-in-message", "abort", "not-an-error"), { nil: undefined, freq: 8 }),
    });
    await fc.assert(fc.asyncProperty(reply, fc.constantFrom("create", "get", "token"), async (r, op) => {
      const fakeFetch = (async (url: string | URL | Request) => {
        if (r.throws === "reset") throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
        if (r.throws === "url-in-message") throw new Error(`request to ${String(url)} failed`);
        if (r.throws === "abort") throw new DOMException("aborted", "AbortError");
        if (r.throws === "not-an-error") throw `${String(url)}`;
        const headers: Record<string, string> = r.retryAfter === undefined ? {} : { "retry-after": r.retryAfter };
        // Some servers echo the request (query string and all) into an error page or reply.
        const body = r.echoUrl ? `${r.body} ${String(url)}` : r.body;
        return new Response([204, 205, 304].includes(r.status) ? null : body, { status: r.status, headers });
      }) as typeof fetch;
      const client = createMouseStatsClient({
        baseUrl: "https://ms.example/api", loginUrl: "https://ms.example/doLogin", partnerId: "p", partnerSecret: PARTNER_SECRET,
        fetch: fakeFetch, timeoutMs: 1000, logger: createSilentLogger(),
      });
      try {
        if (op === "create") {
          const created = await client.createAccount({ email: "a@example.com", password: PASSWORD, activeFreePlan: true });
          expect(created.replyText.length).toBeLessThanOrEqual(200);
          expect(created.replyText).not.toContain(PASSWORD);
          expect(created.replyText).not.toContain(PARTNER_SECRET);
        } else if (op === "get") {
          const got = await client.getAccount("a@example.com");
          expect(typeof got.found).toBe("boolean");
        } else {
          expect(isLoginToken(await client.generateLoginToken("a@example.com", 1))).toBe(true);
        }
      } catch (err) {
        expect(err).toBeInstanceOf(MouseStatsError);
        const seen: string[] = [];
        for (let e: unknown = err; e instanceof Error; e = e.cause) seen.push(e.message, e.stack ?? "");
        for (const text of seen) {
          expect(text).not.toContain(PARTNER_SECRET);
          expect(text).not.toContain(PASSWORD);
        }
      }
    }), { numRuns: 1000 });
  });
});

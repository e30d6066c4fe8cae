import { describe, expect, it } from "vitest";
import {
  MouseStatsHttpError,
  MouseStatsInvalidArgumentError,
  MouseStatsNetworkError,
  MouseStatsPermissionDeniedError,
  MouseStatsTimeoutError,
  MouseStatsUnexpectedReplyError,
} from "../mousestats/errors.ts";
import { PermanentJobError, RetryLaterError } from "../queue/errors.ts";
import { describeMouseStatsFailure, toJobError } from "./mousestats-failure.ts";

const op = "CreateAccount" as const;

describe("toJobError", () => {
  it.each([
    ["a 429 with Retry-After", new MouseStatsHttpError({ operation: op, status: 429, retryAfterMs: 30_000 }), RetryLaterError],
    ["a 503 with Retry-After", new MouseStatsHttpError({ operation: op, status: 503, retryAfterMs: 1000 }), RetryLaterError],
    ["a 500", new MouseStatsHttpError({ operation: op, status: 500 }), Error],
    ["a timeout", new MouseStatsTimeoutError({ operation: op, timeoutMs: 10_000 }), Error],
    ["a network error", new MouseStatsNetworkError({ operation: op, detail: "ECONNREFUSED" }), Error],
    ["an HTML maintenance page", new MouseStatsUnexpectedReplyError({ operation: op, status: 200, reason: "html-page" }), Error],
    ["a 400", new MouseStatsHttpError({ operation: op, status: 400 }), PermanentJobError],
    ["permission-denied", new MouseStatsPermissionDeniedError({ operation: op, status: 200 }), PermanentJobError],
    ["a bad argument", new MouseStatsInvalidArgumentError({ operation: op, argument: "email", detail: "empty" }), PermanentJobError],
  ])("treats %s as the queue should", (_name, err, kind) => {
    const jobError = toJobError(err);
    expect(jobError).toBeInstanceOf(kind);
    if (kind === Error) expect(jobError).not.toBeInstanceOf(PermanentJobError);
    expect(jobError.message).toBe(describeMouseStatsFailure(err));
  });

  it("keeps the Retry-After delay", () => {
    expect((toJobError(new MouseStatsHttpError({ operation: op, status: 429, retryAfterMs: 30_000 })) as RetryLaterError).delayMs).toBe(30_000);
  });

  it("passes other errors through", () => {
    const err = new Error("database is locked");
    expect(toJobError(err)).toBe(err);
  });
});

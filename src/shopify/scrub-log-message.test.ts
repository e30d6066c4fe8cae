import { describe, expect, it } from "vitest";
import { scrubLibraryLogMessage } from "./scrub-log-message.ts";

describe("scrubLibraryLogMessage", () => {
  it.each([
    ["a session token", "Failed to parse session token 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl': bad", "Failed to parse session token '[redacted]': bad"],
    ["an access token", "token shpat_0123abcd used", "token [redacted] used"],
    ["a refresh token", "refresh shprt_sandbox_99 failed", "refresh [redacted] failed"],
    ["the secret", "secret is my-app-secret!", "secret is [redacted]!"],
  ])("blanks %s", (_label, message, expected) => {
    expect(scrubLibraryLogMessage(message, ["my-app-secret"])).toBe(expected);
  });

  it("leaves ordinary messages alone", () => {
    expect(scrubLibraryLogMessage("[shopify-api/INFO] version 15.0.0, environment Web API", ["x-secret"])).toBe(
      "[shopify-api/INFO] version 15.0.0, environment Web API",
    );
  });

  it("ignores an empty secret", () => {
    expect(scrubLibraryLogMessage("abc", [""])).toBe("abc");
  });
});

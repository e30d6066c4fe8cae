import { describe, expect, it } from "vitest";
import { metricsAccess } from "./metrics-access.ts";

const TOKEN = "metrics-token-0123456789";

describe("metricsAccess", () => {
  it("hides /metrics outside sandbox mode when no token is configured", () => {
    expect(metricsAccess({ token: undefined, sandbox: false }, undefined)).toBe("hide");
    expect(metricsAccess({ token: undefined, sandbox: false }, `Bearer ${TOKEN}`)).toBe("hide");
  });

  it("keeps /metrics open in sandbox mode without a token", () => {
    expect(metricsAccess({ token: undefined, sandbox: true }, undefined)).toBe("serve");
  });

  it("serves only the configured bearer token once one is set, in any mode", () => {
    for (const sandbox of [true, false]) {
      expect(metricsAccess({ token: TOKEN, sandbox }, `Bearer ${TOKEN}`)).toBe("serve");
      expect(metricsAccess({ token: TOKEN, sandbox }, `bearer ${TOKEN}`)).toBe("serve");
      expect(metricsAccess({ token: TOKEN, sandbox }, undefined)).toBe("refuse");
      expect(metricsAccess({ token: TOKEN, sandbox }, TOKEN)).toBe("refuse");
      expect(metricsAccess({ token: TOKEN, sandbox }, `Bearer ${TOKEN}x`)).toBe("refuse");
      expect(metricsAccess({ token: TOKEN, sandbox }, `Bearer ${TOKEN.slice(1)}`)).toBe("refuse");
      expect(metricsAccess({ token: TOKEN, sandbox }, `Basic ${TOKEN}`)).toBe("refuse");
    }
  });
});

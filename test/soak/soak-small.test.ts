import { describe, expect, it } from "vitest";
import { HOSTILE_FAULTS } from "../../scripts/soak/hostile-simulator.ts";
import { runSoak } from "../../scripts/soak/run-soak.ts";
import { formatSoakTable } from "../../scripts/soak/soak-report.ts";

describe("soak, scaled down (the same code as npm run soak)", () => {
  it("loses nothing (unexpected bodies included), creates nothing twice and lets nothing forged in, across a SIGKILL", async () => {
    const result = await runSoak({
      webhooks: 1000, shops: 20, ratePerS: 500, crashes: 1, seed: 20_260_101,
      // Milder than the full soak's 30%: a 20-account run has no room for the backoff's long tail.
      faults: { ...HOSTILE_FAULTS, errorRate: 0.1, hangRate: 0.01, createErrorTextMs: 2000 },
      mousestatsTimeoutMs: 1000, drainTimeoutMs: 60_000,
    });
    expect(result.problems, formatSoakTable(result)).toEqual([]);
    expect(result.crashes).toBe(1);
    expect(result.findings.accountsActive).toBe(result.findings.accountsExpected);
    expect(result.findings.maxCreatesPerEmail).toBe(1);
    // CreateAccount answered with an error text for 2 s from its first call: those were retried, not taken for "created".
    expect(result.findings.createErrorTexts).toBeGreaterThan(0);
    // Every order account opened for its buyer through the app proxy, and for no one else.
    expect(result.buyers.openedByBuyer).toBeGreaterThan(3);
    expect(result.buyers.refusedOthers).toBeGreaterThan(result.buyers.openedByBuyer);
    expect(result.sender.byStatus.get(401)).toBe(result.planned.forged);
    expect(result.sender.byStatus.get(400)).toBe(result.planned.malformed);
    expect(result.planned.unexpected).toBeGreaterThan(5);
    expect(result.findings.unprocessableKept).toBe(result.planned.unexpected);
  }, 90_000);
});

import { inject, describe, expect, it } from "vitest";
import { HOSTILE_FAULTS } from "../../scripts/soak/hostile-simulator.ts";
import { runSoak } from "../../scripts/soak/run-soak.ts";
import { formatSoakTable } from "../../scripts/soak/soak-report.ts";
import { createPostgresDatabase } from "../helpers/postgres-database.ts";
import { testBackends } from "../helpers/backends.ts";

/** SQLite with its one app process; PostgreSQL with two, webhooks spread over both, each killed once. */
const runs = testBackends().map((backend) => ({ ...backend, instances: backend.name === "postgres" ? 2 : 1, crashes: backend.name === "postgres" ? 2 : 1 }));

describe.each(runs)("soak, scaled down (the same code as npm run soak), $name with $instances instance(s)", ({ name, available, instances, crashes }) => {
  it.skipIf(!available)("loses nothing (unexpected bodies included), creates nothing twice and lets nothing forged in, across SIGKILLs", async () => {
    const result = await runSoak({
      webhooks: 1000, shops: 20, ratePerS: 500, crashes, seed: 20_260_101,
      // Milder than the full soak's 30%: a 20-account run has no room for the backoff's long tail.
      faults: { ...HOSTILE_FAULTS, errorRate: 0.1, hangRate: 0.01, createErrorTextMs: 2000 },
      mousestatsTimeoutMs: 1000, drainTimeoutMs: 60_000,
      database: name, instances,
      postgresUrl: name === "postgres" && inject("postgresUrl") ? await createPostgresDatabase("soak") : undefined,
    });
    expect(result.problems, formatSoakTable(result)).toEqual([]);
    expect(result.crashes).toBe(crashes);
    expect(result.stop).toHaveLength(instances);
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
    if (instances > 1) expect(result.sender.networkErrors, "requests sent to a killed instance fail to connect and are retried").toBeGreaterThan(0);
  }, 120_000);
});

import { describe, it } from "vitest";
import { runSigtermScenario } from "./support/sigterm-scenario.ts";

// A separate file from the slow-MouseStats case so the two real-process runs can go in parallel.
describe("SIGTERM under load (real process), a CreateAccount that never answers", () => {
  it("answers in-flight requests, aborts and releases the hung jobs, exits 0 within 10 s, loses nothing", async () => {
    await runSigtermScenario({ latencyMs: 3000, hangCreate: true });
  }, 45_000);
});

import { describe, it } from "vitest";
import { runSigtermScenario } from "./support/sigterm-scenario.ts";

describe("SIGTERM under load (real process), MouseStats slow", () => {
  it("answers in-flight requests, lets running jobs finish, exits 0 within 10 s, loses nothing", async () => {
    await runSigtermScenario({ latencyMs: 1000, hangCreate: false });
  }, 45_000);
});

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createMouseStatsSimulator, type MouseStatsSimulator } from "../../src/mousestats/simulator.ts";

export interface CrashSimulator {
  sim: MouseStatsSimulator;
  /** The app's `MOUSESTATS_API_URL` and partner credentials. */
  env: Record<string, string>;
  /** While true, CreateAccount takes effect and its reply never leaves (the app dies waiting). */
  swallowCreateReply: boolean;
  close(): void;
}

/** The MouseStats simulator on loopback, for crash tests: its faults plus a CreateAccount reply that can be held back. */
export async function startCrashSimulator(): Promise<CrashSimulator> {
  const sim = createMouseStatsSimulator({ partnerId: "crash-partner", partnerSecret: "crash-secret" });
  const crash: CrashSimulator = { sim, env: {}, swallowCreateReply: false, close: () => server.close() };
  const server = serve({
    port: 0, hostname: "127.0.0.1",
    fetch: async (request) => {
      const response = await sim.app.fetch(request);
      if (crash.swallowCreateReply && new URL(request.url).pathname.endsWith("/CreateAccount")) {
        await new Promise((resolve) => request.signal.addEventListener("abort", resolve));
      }
      return response;
    },
  });
  await new Promise((r) => server.once("listening", r));
  crash.env = {
    MOUSESTATS_PARTNER_ID: "crash-partner", MOUSESTATS_PARTNER_SECRET: "crash-secret",
    MOUSESTATS_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
  };
  return crash;
}

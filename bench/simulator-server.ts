import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createMouseStatsSimulator, type MouseStatsSimulator } from "../src/mousestats/simulator.ts";
import { BENCH_APP } from "./production-env.ts";

/** One API call as the simulator saw it, on this process's performance clock. */
export interface SimulatorTiming {
  op: string;
  email: string;
  startMs: number;
  endMs: number;
}

export interface BenchSimulator {
  sim: MouseStatsSimulator;
  /** What the app's MOUSESTATS_API_URL points at. */
  apiUrl: string;
  /** The most calls in flight at once since the last reset: the app's effective concurrency. */
  maxInFlight: number;
  timings: SimulatorTiming[];
  resetCounters(): void;
  close(): Promise<void>;
}

/** The MouseStats simulator on loopback, standing in for MouseStats, timing every call. */
export async function startBenchSimulator(latencyMs: number): Promise<BenchSimulator> {
  const sim = createMouseStatsSimulator({ partnerId: BENCH_APP.partnerId, partnerSecret: BENCH_APP.partnerSecret, faults: { latencyMs } });
  let inFlight = 0;
  const state = { maxInFlight: 0, timings: [] as SimulatorTiming[] };
  const server = serve({
    port: 0, hostname: "127.0.0.1",
    fetch: async (request) => {
      const startMs = performance.now();
      state.maxInFlight = Math.max(state.maxInFlight, ++inFlight);
      try {
        return await sim.app.fetch(request);
      } finally {
        inFlight--;
        const url = new URL(request.url);
        state.timings.push({ op: url.pathname.split("/").at(-1) ?? "", email: url.searchParams.get("_userEmail") ?? "", startMs, endMs: performance.now() });
      }
    },
  });
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    sim,
    apiUrl: `http://127.0.0.1:${port}/api`,
    get maxInFlight() { return state.maxInFlight; },
    get timings() { return state.timings; },
    resetCounters() { state.maxInFlight = 0; state.timings = []; },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ("closeAllConnections" in server) server.closeAllConnections();
    }),
  };
}

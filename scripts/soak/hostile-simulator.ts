import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createMouseStatsSimulator, type MouseStatsSimulator } from "../../src/mousestats/simulator.ts";

export interface HostileFaults {
  /** Share of calls answered with a 5xx. */
  errorRate: number;
  /** The 5xx statuses drawn from; 503 carries `Retry-After: 1` (the simulator's load-balancer habit). */
  errorStatuses: readonly number[];
  hangRate: number;
  latencyMs: [number, number];
  /** Share of faulty calls whose effect still happens (the reply is what got lost). */
  lostReplyRate: number;
  /**
   * For this long from the first CreateAccount call, CreateAccount answers 200 with an error text
   * and creates nothing (its reply is undocumented: the app must not take a 200 for "created").
   * Counted from the first call, not from start, so a slow app start-up cannot skip the window.
   */
  createErrorTextMs: number;
}

export const HOSTILE_FAULTS: HostileFaults = {
  errorRate: 0.3, errorStatuses: [500, 502, 503, 504], hangRate: 0.02, latencyMs: [100, 300], lostReplyRate: 0.5, createErrorTextMs: 8000,
};

/** What the hostile CreateAccount answers while `createErrorTextMs` lasts. */
export const CREATE_ERROR_TEXT = "Error: account service temporarily unavailable";

export interface HostileSimulator {
  sim: MouseStatsSimulator;
  /** The client's `MOUSESTATS_API_URL`. */
  apiUrl: string;
  partnerId: string;
  partnerSecret: string;
  /**
   * CreateAccount calls that reached the simulator's handler, by email: answered normally, or
   * faulty with `effectBeforeFault` (the account was made, the reply lost). A faulty call
   * without effect never reached MouseStats's logic and may rightly be retried.
   */
  createsReached: Map<string, number>;
  /** Every call's outcome, by email (`Get 503`, `Create 200`, `Create 500+` when it took effect), for failure reports. */
  outcomes: Map<string, string[]>;
  close(): Promise<void>;
}

/**
 * The bundled MouseStats simulator, made hostile and served on loopback by the soak process, so
 * its accounts and call log outlive the app processes the soak kills. The knobs are the
 * simulator's own; a timer re-draws the 5xx status and whether the next faults take effect.
 */
export async function startHostileSimulator(faults: HostileFaults, random: () => number = Math.random): Promise<HostileSimulator> {
  const partnerId = "soak-partner";
  const partnerSecret = `soak-partner-secret-${process.pid}`;
  const sim = createMouseStatsSimulator({ partnerId, partnerSecret, random });
  const apply = () => {
    Object.assign(sim.faults, {
      latencyMs: faults.latencyMs, errorRate: faults.errorRate, hangRate: faults.hangRate,
      errorStatus: faults.errorStatuses[Math.floor(random() * faults.errorStatuses.length)] ?? 500,
      effectBeforeFault: random() < faults.lostReplyRate,
    });
  };
  apply();
  const redraw = setInterval(apply, 50);
  redraw.unref();

  const createsReached = new Map<string, number>();
  const outcomes = new Map<string, string[]>();
  let errorTextUntil: number | undefined;
  const server = serve({
    port: 0, hostname: "127.0.0.1",
    fetch: async (request) => {
      const url = new URL(request.url);
      if (url.pathname.endsWith("/CreateAccount")) errorTextUntil ??= Date.now() + faults.createErrorTextMs;
      if (url.pathname.endsWith("/CreateAccount") && Date.now() < (errorTextUntil ?? 0)) {
        const email = (url.searchParams.get("_userEmail") ?? "").trim().toLowerCase();
        outcomes.set(email, [...(outcomes.get(email) ?? []), "Create 200 (error text)"]);
        return new Response(CREATE_ERROR_TEXT, { status: 200, headers: { "content-type": "text/plain" } });
      }
      // Read before the call: the simulator decides at arrival whether a fault keeps its effect.
      const effectFirst = sim.faults.effectBeforeFault;
      const startedAt = Date.now();
      const response = await sim.app.fetch(request);
      const email = (url.searchParams.get("_userEmail") ?? "").trim().toLowerCase();
      const op = url.pathname.split("/").pop() ?? "";
      const tookEffect = response.status < 500 || effectFirst;
      if (op === "CreateAccount" && tookEffect) createsReached.set(email, (createsReached.get(email) ?? 0) + 1);
      const list = outcomes.get(email) ?? [];
      list.push(`${op.replace("Account", "")} ${response.status}${response.status >= 500 && effectFirst ? "+" : ""}${Date.now() - startedAt > 900 ? " (hung)" : ""}`);
      outcomes.set(email, list);
      return response;
    },
  });
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    sim, partnerId, partnerSecret, createsReached, outcomes,
    apiUrl: `http://127.0.0.1:${port}/api`,
    close: () => new Promise<void>((resolve) => {
      clearInterval(redraw);
      server.close(() => resolve());
      if ("closeAllConnections" in server) server.closeAllConnections();
    }),
  };
}

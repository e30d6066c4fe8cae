import { setTimeout as sleep } from "node:timers/promises";

import { renderErrorPage } from "./simulator-pages.ts";

/** Knobs for misbehaviour of the three API routes; mutable while the simulator runs. */
export interface MouseStatsSimulatorFaults {
  /** Delay before answering: fixed, or uniform in `[min, max]`. */
  latencyMs: number | [number, number];
  /** Share of calls (0..1) answered with `errorStatus` and a small HTML error page. */
  errorRate: number;
  /** @default 500 */
  errorStatus: number;
  /** Share of calls (0..1) never answered (until the client gives up). */
  hangRate: number;
  /** Never answer any call. */
  hang: boolean;
  /**
   * When true, a faulty call still takes effect (account created, token issued) before its
   * reply is replaced: the reply was lost on the way back. @default false
   */
  effectBeforeFault: boolean;
}

export const DEFAULT_FAULTS: Readonly<MouseStatsSimulatorFaults> = {
  latencyMs: 0,
  errorRate: 0,
  errorStatus: 500,
  hangRate: 0,
  hang: false,
  effectBeforeFault: false,
};

/** A hung call still ends after this long, so a forgotten client cannot pin the server forever. */
const HANG_CAP_MS = 10 * 60_000;

function pickLatencyMs(latencyMs: MouseStatsSimulatorFaults["latencyMs"], random: () => number): number {
  if (typeof latencyMs === "number") return Math.max(0, latencyMs);
  const [min, max] = latencyMs;
  return Math.max(0, min + (max - min) * random());
}

function untilAborted(signal: AbortSignal, capMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, capMs);
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function errorResponse(status: number): Response {
  const headers: Record<string, string> = { "content-type": "text/html; charset=utf-8" };
  // Overload statuses tell the client when to come back, as a load balancer would.
  if (status === 429 || status === 503) headers["retry-after"] = "1";
  return new Response(renderErrorPage(status), { status, headers });
}

/**
 * Applies latency, then a hang or an error, per the current knobs. Returns the response that
 * replaces the real one, or undefined to answer normally.
 */
export async function applyFaults(
  faults: MouseStatsSimulatorFaults,
  random: () => number,
  signal: AbortSignal,
): Promise<Response | undefined> {
  const delayMs = pickLatencyMs(faults.latencyMs, random);
  if (delayMs > 0) {
    // A client that gives up mid-delay is not told; the server carries on, as real ones do.
    await sleep(delayMs, undefined, { signal }).catch(() => undefined);
  }
  if (faults.hang || random() < faults.hangRate) {
    await untilAborted(signal, HANG_CAP_MS);
    return errorResponse(504);
  }
  if (random() < faults.errorRate) return errorResponse(faults.errorStatus);
  return undefined;
}

import { setTimeout as sleep } from "node:timers/promises";
import type { Delivery, PlannedEvent } from "./webhook-plan.ts";

export interface SenderStats {
  /** Deliveries started (each planned POST once, however often it was retried). */
  dispatched: number;
  /** HTTP requests made, retries included. */
  requests: number;
  /** Requests that found no server (refused, reset): retried like Shopify retries. */
  networkErrors: number;
  /** Requests with no answer within `timeoutMs` (Shopify's 5 s), sent while the app was settled. */
  timeouts: number;
  /** The same, for requests sent while it was down or recovering. */
  recoveryTimeouts: number;
  byStatus: Map<number, number>;
  /** Answers of 500 or more (the server was up: it answered). */
  serverErrors: Array<{ eventId: string; status: number; body: string }>;
  /** Answers other than the event's expected status. */
  unexpected: Array<{ eventId: string; kind: string; expected: number; status: number; body: string }>;
  /** Events that got a 200 at least once. */
  acked: Set<PlannedEvent>;
  /** Deliveries never answered (gave up). */
  gaveUp: number;
  /** Answer times of requests sent while the app was up and settled. */
  latenciesMs: number[];
  /** Answer times of requests sent while it was down or had just restarted (the retry herd). */
  recoveryLatenciesMs: number[];
  firstDispatchAt: number;
  lastDispatchAt: number;
}

export interface SenderOptions {
  baseUrl: () => string;
  ratePerS: number;
  /** Per request, like Shopify's 5 s. @default 5000 */
  timeoutMs?: number;
  /** Stop retrying a delivery after this long without an answer. @default 60_000 */
  giveUpMs?: number;
  /** Longest wait between two tries of one delivery. @default 8000 */
  retryCapMs?: number;
  /** True while the app is down or has just restarted; the answers are counted apart. */
  recovering?: () => boolean;
  /** Called after each dispatch with its index (the soak schedules crashes with it). */
  onDispatch?: (index: number) => void;
  random?: () => number;
}

/**
 * Sends the deliveries at `ratePerS`, each exactly as planned, retrying a delivery that got no
 * HTTP answer (server killed or restarting, or no answer in 5 s) with a jittered doubling wait
 * from about 1 s, as Shopify retries. Concurrent duplicates leave in the same tick as their original.
 */
export function createWebhookSender(options: SenderOptions) {
  const { ratePerS, timeoutMs = 5000, giveUpMs = 60_000, retryCapMs = 8000, random = Math.random } = options;
  const stats: SenderStats = {
    dispatched: 0, requests: 0, networkErrors: 0, timeouts: 0, recoveryTimeouts: 0, byStatus: new Map(), serverErrors: [],
    unexpected: [], acked: new Set(), gaveUp: 0, latenciesMs: [], recoveryLatenciesMs: [], firstDispatchAt: 0, lastDispatchAt: 0,
  };

  async function deliver(delivery: Delivery): Promise<void> {
    const { event } = delivery;
    const startedAt = Date.now();
    let retry = 0;
    for (;;) {
      stats.requests++;
      const sentAt = performance.now();
      const duringRecovery = options.recovering?.() ?? false;
      try {
        const res = await fetch(`${options.baseUrl()}/webhooks`, {
          method: "POST", body: event.body, headers: event.headers, signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await res.text();
        (duringRecovery ? stats.recoveryLatenciesMs : stats.latenciesMs).push(performance.now() - sentAt);
        stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
        if (res.status >= 500) stats.serverErrors.push({ eventId: event.eventId, status: res.status, body: body.slice(0, 200) });
        else if (res.status !== event.expectedStatus) {
          stats.unexpected.push({ eventId: event.eventId, kind: event.kind, expected: event.expectedStatus, status: res.status, body: body.slice(0, 200) });
        }
        if (res.status === 200) stats.acked.add(event);
        // Shopify retries anything but 2xx; a 5xx is already a failure of the run, retry anyway.
        if (res.status < 500) return;
      } catch (err) {
        if ((err as Error).name !== "TimeoutError") stats.networkErrors++;
        else if (duringRecovery) stats.recoveryTimeouts++;
        else stats.timeouts++;
      }
      if (Date.now() - startedAt > giveUpMs) {
        stats.gaveUp++;
        return;
      }
      // Shopify backs off for minutes; this keeps its shape (doubling, jittered) at soak speed.
      await sleep(Math.min(retryCapMs, 1000 * 2 ** Math.min(retry++, 10)) * (0.5 + random()));
    }
  }

  return {
    stats,
    /** Resolves when every delivery was answered or given up. */
    async run(deliveries: readonly Delivery[]): Promise<void> {
      const inFlight = new Set<Promise<void>>();
      const startedAt = performance.now();
      stats.firstDispatchAt = Date.now();
      let next = 0;
      while (next < deliveries.length) {
        const due = Math.min(deliveries.length, Math.floor(((performance.now() - startedAt) / 1000) * ratePerS) + 1);
        while (next < due || (next < deliveries.length && deliveries[next]!.concurrent)) {
          const promise = deliver(deliveries[next]!).finally(() => inFlight.delete(promise));
          inFlight.add(promise);
          stats.dispatched++;
          options.onDispatch?.(next);
          next++;
        }
        stats.lastDispatchAt = Date.now();
        await sleep(5);
      }
      await Promise.all(inFlight);
    },
  };
}

/** `p` in 0..1 of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

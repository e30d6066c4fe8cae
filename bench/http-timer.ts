import { Agent, request } from "undici";

export interface TimedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
  startMs: number;
  endMs: number;
}

/** A keep-alive client with little overhead of its own (undici's request, not fetch), for per-request timings. */
export function createHttpTimer(origin: string) {
  const dispatcher = new Agent({ connections: 1, pipelining: 1 });
  return {
    async time(method: "GET" | "POST", path: string, headers: Record<string, string> = {}): Promise<TimedResponse> {
      const startMs = performance.now();
      const res = await request(`${origin}${path}`, { method, headers, dispatcher });
      const body = await res.body.text();
      const endMs = performance.now();
      return { status: res.statusCode, headers: res.headers, body, ms: endMs - startMs, startMs, endMs };
    },
    close: () => dispatcher.close(),
  };
}

export type HttpTimer = ReturnType<typeof createHttpTimer>;

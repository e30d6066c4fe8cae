import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with headers exactly as given (an array of name/value pairs, so a header may
 * repeat, and values may hold any Latin-1 byte fetch would refuse), on a fresh connection.
 */
export function rawRequest(url: string, options: { method?: string; headers?: Array<[string, string]>; body?: string | Uint8Array } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = options.headers ?? [];
    // An array of headers gets no automatic Host, and node:http answers 400 without one.
    if (!headers.some(([name]) => name.toLowerCase() === "host")) headers.unshift(["host", new URL(url).host]);
    const req = request(url, { method: options.method ?? "GET", headers: headers.flat(), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

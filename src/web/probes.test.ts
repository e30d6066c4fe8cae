import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProbeListener, type Readiness } from "./probes.ts";

const READY: Readiness = { ready: true, database: true, queue: true, backend: "sqlite" };

describe("createProbeListener, over real HTTP", () => {
  let server: Server;
  let base: string;
  let readiness: () => Promise<Readiness> = async () => READY;
  const answered: Array<[string, number]> = [];

  beforeAll(async () => {
    const probe = createProbeListener({ readiness: () => readiness(), onResponse: (route, status) => answered.push([route, status]) });
    // What is not a probe goes on to the rest of the app, as in server.ts.
    server = createServer((req, res) => {
      if (!probe(req, res)) res.writeHead(404).end("not a probe");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers /healthz and a ready /readyz with 200 and JSON, and counts each", async () => {
    answered.length = 0;
    readiness = async () => READY;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get("content-type")).toBe("application/json");
    expect(await health.json()).toEqual({ ok: true });
    const ready = await fetch(`${base}/readyz?verbose=1`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(READY);
    expect(answered).toEqual([["/healthz", 200], ["/readyz", 200]]);
  });

  it("answers 503 with what was not ready, and 503 when the check itself fails", async () => {
    readiness = async () => ({ ready: false, database: true, queue: false, backend: "postgres" });
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, database: true, queue: false, backend: "postgres" });
    readiness = async () => { throw new Error("database gone"); };
    const failed = await fetch(`${base}/readyz`);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ ready: false });
  });

  it("answers HEAD with the headers and no body", async () => {
    readiness = async () => READY;
    const head = await new Promise<{ status?: number; type?: string; body: string }>((resolve, reject) => {
      request(`${base}/readyz`, { method: "HEAD" }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => { body += chunk.toString(); });
        res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"], body }));
      }).on("error", reject).end();
    });
    expect(head).toEqual({ status: 200, type: "application/json", body: "" });
  });

  it("leaves every other method and path to the rest of the app", async () => {
    for (const [method, path] of [["POST", "/readyz"], ["DELETE", "/healthz"], ["GET", "/readyz/"], ["GET", "/healthzz"], ["GET", "/api/healthz"], ["GET", "/"]]) {
      const res = await fetch(`${base}${path}`, { method });
      expect([method, path, res.status, await res.text()]).toEqual([method, path, 404, "not a probe"]);
    }
  });
});

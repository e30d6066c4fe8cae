import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createConnectionDrain } from "./drain-connections.ts";

describe("createConnectionDrain", () => {
  let server: Server | undefined;
  afterEach(() => { server?.closeAllConnections(); server?.close(); });

  it("closes the connection of every answer to a request made once the drain started", async () => {
    server = createServer((req, res) => { setTimeout(() => res.end("ok"), req.url === "/slow" ? 200 : 1); });
    const drain = createConnectionDrain(server);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const connectionHeader = (path: string) => new Promise<string | undefined>((resolve, reject) => {
      get({ host: "127.0.0.1", port, path, agent: false, headers: { connection: "keep-alive" } }, (res) => {
        res.resume();
        resolve(res.headers.connection);
      }).on("error", reject);
    });
    expect(await connectionHeader("/before")).toBe("keep-alive");
    const slow = connectionHeader("/slow");
    await new Promise((resolve) => setTimeout(resolve, 50));
    drain.drain();
    // In flight when the drain started: Node offers no public way to reach its answer.
    expect(await slow).toBe("keep-alive");
    expect(await connectionHeader("/after")).toBe("close");
  });

  it("lets close() finish while a client keeps its keep-alive connections busy, answering what is in flight", async () => {
    server = createServer((req, res) => { setTimeout(() => res.end("ok"), req.url === "/slow" ? 300 : 1); });
    const drain = createConnectionDrain(server);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let loading = true;
    const load = (async () => {
      while (loading) {
        fetch(`${url}/fast`).then((r) => r.text(), () => undefined);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const slow = fetch(`${url}/slow`).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 100));

    const closed = new Promise<number>((resolve) => { const t = Date.now(); server!.close(() => resolve(Date.now() - t)); });
    server.closeIdleConnections();
    drain.drain();
    expect(await slow).toBe("ok");
    // Without the drain the load reuses the slow request's connection and close() never returns.
    expect(await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve("still open"), 3000))])).toBeLessThan(3000);
    loading = false;
    await load;
  });
});

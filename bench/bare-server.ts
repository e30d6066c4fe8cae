/**
 * The baseline: a bare node:http server that reads the whole body and answers 200, nothing else.
 * Prints its port on stdout. Run in its own process, pinned like the app.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    res.statusCode = 200;
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

/** True while something accepts connections on the port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

describe("npm start, as a process manager runs it", () => {
  const dir = mkdtempSync(join(tmpdir(), "ms-npm-start-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stops the app within 10 s when the npm process gets SIGTERM", async () => {
    // Only what a service manager would pass: no npm_* variables from the npm running the tests.
    const npm = spawn("npm", ["start"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: "0", HOST: "127.0.0.1", DATABASE_URL: join(dir, "app.db") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    npm.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    npm.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | string>((resolve) => npm.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));

    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not print its URL:\n${out}`)), 20_000);
      npm.stdout.on("data", () => {
        const match = /Webhooks:\s+POST http:\/\/localhost:(\d+)\/webhooks/.exec(out);
        if (match) { clearTimeout(timer); resolve(Number(match[1])); }
      });
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // The bundle npm start runs reads the files beside its sources: the page's assets and
    // messages, and the sandbox's stand-in App Bridge.
    const page = await fetch(`http://127.0.0.1:${port}/?shop=demo-shop.myshopify.com&locale=fr`);
    expect(page.status).toBe(200);
    const own = [...(await page.text()).matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(own).toEqual(expect.arrayContaining(["/sandbox/app-bridge.js", expect.stringMatching(/^\/assets\/messages\/fr\.js/), expect.stringMatching(/^\/assets\/app\.js/)]));
    for (const path of own) expect((await fetch(`http://127.0.0.1:${port}${path}`)).status, path).toBe(200);
    // On the Node.js of the `node` devDependency, whatever Node.js runs npm.
    const brought = (JSON.parse(readFileSync(join(ROOT, "node_modules/node/package.json"), "utf8")) as { version: string }).version;
    expect(out).toContain(`Node.js:    ${brought}\n`);

    const sentAt = Date.now();
    npm.kill("SIGTERM");
    // npm forwards the signal to its script and ends as the script did: the app stopped cleanly.
    expect(await exited).toBe(0);
    // The server npm started must have gone too (the shell between them used to keep it alive).
    while (await answers(port)) {
      if (Date.now() - sentAt > 10_000) throw new Error(`the app still listens 10 s after SIGTERM:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(out).toMatch(/"msg":"stopped"/);
  }, 40_000);

  it("says in one line that the Node.js is too old, instead of failing on .ts files", async () => {
    // A Node.js without type stripping, as Node 20 or 22.12 is: the same flag they are born with.
    const failure = await run(process.execPath, ["--no-experimental-strip-types", "src/start.js"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "" } })
      .then(() => undefined, (err: { code: number; stdout: string; stderr: string }) => err);
    expect(failure).toMatchObject({ code: 1, stdout: "" });
    expect(failure!.stderr).toBe(
      `MouseStats Heatmaps needs Node.js 22.18+ (or 23.6+) to run; this is Node.js ${process.versions.node}. ` +
      "Install Node.js 24, or run `npm install` with devDependencies: npm scripts then use the Node.js 24 it brings.\n",
    );
  });
});

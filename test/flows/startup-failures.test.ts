import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const START = fileURLToPath(new URL("../../src/start.js", import.meta.url));

/** Runs the real entry point and returns how it ended. */
function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [START], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
      timeout: 15_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? null : 0, stdout, stderr }));
  });
}

describe("start-up failures end with one clear line", () => {
  let dir: string;
  let occupied: Server;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ms-startfail-"));
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, "127.0.0.1", resolve));
    port = (occupied.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => occupied.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    ["a port in use", () => ({ PORT: String(port), DATABASE_URL: join(dir, "port.db") }),
      /^Port \d+ is already in use by another program: stop it, or set PORT to a free port\.$/],
    ["a HOST that is not this machine's", () => ({ HOST: "192.0.2.1", DATABASE_URL: join(dir, "host.db") }),
      /^HOST 192\.0\.2\.1 is not an address of this machine/],
    ["a database folder that cannot be made (a file is in the way)", () => {
      writeFileSync(join(dir, "a-file"), "");
      return { DATABASE_URL: join(dir, "a-file", "app.db") };
    }, /^Cannot create the database folder .*a-file: part of the path is a file, not a folder; set DATABASE_URL/],
    ["a database path that is a folder", () => {
      mkdirSync(join(dir, "a-folder.db"));
      return { DATABASE_URL: join(dir, "a-folder.db") };
    }, /^Cannot open the database file .*a-folder\.db: make it a file/],
    ["a file that is not a database", () => {
      writeFileSync(join(dir, "notes.db"), "x".repeat(4096));
      return { DATABASE_URL: join(dir, "notes.db") };
    }, /^.*notes\.db is not a SQLite database: point DATABASE_URL at the app's database file\.$/],
    ["no folder for the app's bundle (Node's compile cache and the temp folder both in the way)", () => {
      writeFileSync(join(dir, "in-the-way"), "");
      return { NODE_COMPILE_CACHE: join(dir, "in-the-way", "cache"), TMPDIR: join(dir, "in-the-way"), DATABASE_URL: join(dir, "bundle.db") };
    }, /^Cannot prepare the app's bundle in .*in-the-way\/mousestats-heatmaps\/mousestats-app-bundles: ENOTDIR: not a directory, .*; set NODE_COMPILE_CACHE to a folder this user can write$/],
  ];

  it.each(cases)("%s", async (_name, env, line) => {
    const result = await start(env());
    expect(result.code).toBe(1);
    expect(result.stderr.endsWith("\n")).toBe(true);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(result.stdout).not.toMatch(/^\s+at /m);
  });

  it("configuration errors too: one line per problem, no stack", async () => {
    const result = await start({ MOUSESTATS_TIMEOUT_MS: "50", DATABASE_URL: join(dir, "cfg.db") });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("Invalid configuration:\n  - MOUSESTATS_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 10000\n");
  });
});

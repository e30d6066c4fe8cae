import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createSessionTokenSigner } from "../../src/shopify/session-token.ts";
import { createTokenCipher } from "../../src/shopify/token-cipher.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { bearer } from "./support/tokens.ts";

const KEY = randomBytes(32);
const SHOPS = ["rest-a.myshopify.com", "rest-b.myshopify.com", "rest-c.myshopify.com"];

/** Every byte SQLite keeps for the database: the file, its write-ahead log and shared memory. */
const databaseBytes = (dir: string) => Buffer.concat(["app.db", "app.db-wal", "app.db-shm"]
  .map((name) => join(dir, name)).filter(existsSync).map((path) => readFileSync(path)));

/** A secret in the forms it could take on disk. */
const forms = (secret: string) => [secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("hex"), Buffer.from(secret, "utf16le").toString("latin1")];

describe("offline access tokens at rest", () => {
  let server: TestServer | undefined;
  afterAll(async () => {
    if (server) rmSync(server.dir, { recursive: true, force: true });
  });

  it("are stored AES-256-GCM encrypted: the SQLite files never hold a token, its key or a token prefix", async () => {
    server = await startTestServer({ APP_ENCRYPTION_KEY: KEY.toString("base64") });
    const signer = createSessionTokenSigner({ apiKey: "sandbox-api-key", apiSecret: "sandbox-api-secret" });
    for (const shop of SHOPS) {
      const res = await fetch(`${server.url}/api/account`, { headers: bearer(signer.sign({ shop, now: Date.now() })) });
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain("shpat_");
    }
    const rows = server.database.sqlite.prepare("select access_token_enc a, refresh_token_enc r from shopify_sessions").all() as { a: string; r: string }[];
    expect(rows).toHaveLength(SHOPS.length);
    const cipher = createTokenCipher(KEY);
    const secrets = rows.flatMap((row) => [cipher.decrypt(row.a), cipher.decrypt(row.r)]);
    for (const secret of secrets) expect(secret).toMatch(/^shp(at|rt)_/);
    for (const row of rows) expect(row.a).toMatch(/^v1:/);

    const check = (when: string) => {
      const bytes = databaseBytes(server!.dir);
      expect(bytes.length, when).toBeGreaterThan(0);
      for (const secret of secrets) for (const form of forms(secret)) expect(bytes.includes(form), `${when}: a token as ${form.slice(0, 12)}…`).toBe(false);
      for (const form of [KEY.toString("base64"), KEY.toString("hex")]) expect(bytes.includes(form), `${when}: the key`).toBe(false);
      expect(bytes.includes(KEY), `${when}: the raw key`).toBe(false);
      expect(bytes.includes("shpat_"), `${when}: an access token prefix`).toBe(false);
      expect(bytes.includes("shprt_"), `${when}: a refresh token prefix`).toBe(false);
    };
    check("while running (WAL)");
    await server.stop();
    check("after a clean stop (checkpointed)");
  });
});

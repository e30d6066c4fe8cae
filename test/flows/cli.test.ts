import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pgDumpAdvice } from "../../scripts/accounts/backup.ts";
import { describeEachBackend } from "../helpers/backends.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { orderPayload, postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

const run = promisify(execFile);
const script = (name: string) => fileURLToPath(new URL(`../../scripts/${name}.ts`, import.meta.url));

describeEachBackend("operator commands", (backend) => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    const backendEnv = await backend.env("cli");
    server = await startTestServer({ ...backendEnv, ADDON_SKUS: "HEATMAPS-ADDON" });
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: backendEnv.DATABASE_URL ?? `${server.dir}/app.db`, ADDON_SKUS: "HEATMAPS-ADDON" };
  });
  afterAll(async () => { await server?.close(); });

  it("npm run trigger sends signed samples that the app accepts and acts on; an order names the buyer's stand-in storefront", async () => {
    let storefront = "";
    for (const topic of ["app_subscriptions/update", "orders/paid"]) {
      const { stdout } = await run(process.execPath, [script("trigger"), topic, "--shop", "cli.myshopify.com", "--email", "buyer@cli.com", "--url", server.url], { env });
      expect(stdout).toMatch(new RegExp(`${topic} for cli.myshopify.com → .*: HTTP 200`));
      storefront = /The buyer opens their heatmaps at: (\S+)/.exec(stdout)?.[1] ?? storefront;
    }
    await waitFor(async () => {
      const rows = await server.rows("select email from accounts where status = 'active' order by email");
      return rows.length === 2 && rows;
    }, 10_000, "two accounts");
    // The printed URL signs the buyer in on the stand-in storefront, which shows their account through the app proxy.
    expect(storefront).toMatch(/\/sandbox\/storefront\?shop=cli.myshopify.com&customer=\d+&email=buyer%40cli.com$/);
    const signIn = await fetch(storefront, { redirect: "manual" });
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const page = await fetch(new URL(signIn.headers.get("location")!, server.url), { headers: { cookie } });
    expect(await page.text()).toContain('data-testid="account-email">buyer@cli.com<');
  });

  // These three answer before any database is opened: declared once, with the SQLite run.
  const backendFree = (name: string, test: () => Promise<void>) => { if (backend.name === "sqlite") it(name, test); };

  backendFree("npm run trigger fails clearly when the app is not running", async () => {
    await expect(run(process.execPath, [script("trigger"), "shop/redact", "--url", "http://127.0.0.1:9"], { env }))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("Is the app running") });
  });

  backendFree("npm run trigger prints the app's answer and a hint that fits the status", async () => {
    const wrongSecret = await run(process.execPath, [script("trigger"), "shop/redact", "--url", server.url], { env: { ...env, SHOPIFY_API_SECRET: "not-the-apps-secret" } })
      .catch((err: { code: number; stderr: string }) => err);
    expect(wrongSecret).toMatchObject({ code: 1 });
    expect((wrongSecret as { stderr: string }).stderr).toMatch(/HTTP 401.*\nThe signature did not verify: this command signs with SHOPIFY_API_SECRET/);
    const badShop = await run(process.execPath, [script("trigger"), "shop/redact", "--shop", "Not A Shop", "--url", server.url], { env })
      .catch((err: { code: number; stderr: string }) => err);
    expect((badShop as { stderr: string }).stderr).toMatch(/HTTP 400: .*X-Shopify-Shop-Domain.*\nThe app rejected a header or the body \(not the signature/);
  });

  backendFree("npm run trigger and npm run accounts exit 2 on a usage error", async () => {
    const usageErrors: string[][] = [
      [script("trigger")], [script("trigger"), "shop/redact", "extra"], [script("trigger"), "shop/redact", "--colour"],
      [script("accounts")], [script("accounts"), "frobnicate"], [script("accounts"), "show"], [script("accounts"), "show", "a", "b"],
      [script("accounts"), "list", "--everything"], [script("accounts"), "jobs", "--limit", "none"], [script("accounts"), "backup"],
    ];
    const failures = await Promise.all(usageErrors.map((args) =>
      run(process.execPath, args, { env }).then(() => ({ code: 0, stderr: "" }), (err: { code: number; stderr: string }) => err)));
    failures.forEach((failure, i) => {
      expect({ args: usageErrors[i]!.slice(1), code: failure.code }).toEqual({ args: usageErrors[i]!.slice(1), code: 2 });
      expect(failure.stderr).toMatch(/usage: npm run/);
    });
    expect((await run(process.execPath, [script("accounts"), "--help"], { env })).stdout).toMatch(/backup <file>/);
  });

  it("npm run accounts backup backs up SQLite, and on PostgreSQL points to pg_dump without the password (exit 2)", async () => {
    const out = `${server.dir}/backup.db`;
    if (backend.name === "sqlite") {
      expect((await run(process.execPath, [script("accounts"), "backup", out], { env })).stdout).toContain("integrity ok");
      return;
    }
    const refused = await run(process.execPath, [script("accounts"), "backup", out], { env }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    const url = new URL(env.DATABASE_URL!);
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toContain(`pg_dump --format=custom --file=${out} --host=${url.hostname} --port=${url.port} --username=app --dbname=${url.pathname.slice(1)}`);
  });

  it("npm run accounts lists, shows, retries and mints a login link", async () => {
    await waitFor(() => server.count("accounts where email = 'cli@example.com' and status = 'active'"), 10_000);
    const list = await run(process.execPath, [script("accounts"), "list"], { env });
    // Each shop's access and why it has it: the subscription, or the order.
    expect(list.stdout).toMatch(/cli@example\.com.*cli\.myshopify\.com.*active.*subscription.*gid:\/\/shopify\/AppSubscription\//);
    expect(list.stdout).toMatch(/buyer@cli\.com.*cli\.myshopify\.com.*active.*order/);
    const show = await run(process.execPath, [script("accounts"), "show", "cli.myshopify.com"], { env });
    const shown = JSON.parse(show.stdout) as unknown[];
    expect(shown[0]).toMatchObject({ shop: { domain: "cli.myshopify.com" } });
    expect(shown).toContainEqual(expect.objectContaining({ account: expect.objectContaining({ email: "cli@example.com", status: "active" }) }));
    expect(shown).toContainEqual(expect.objectContaining({ account: expect.objectContaining({ email: "buyer@cli.com" }) }));
    await expect(run(process.execPath, [script("accounts"), "retry", "cli@example.com"], { env })).rejects.toMatchObject({ stdout: expect.stringContaining("already active") });
    const link = await run(process.execPath, [script("accounts"), "login-link", "cli@example.com"],
      { env: { ...env, PORT: new URL(server.url).port } });
    const url = /(http\S+_token=\S+)/.exec(link.stdout)![1]!;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("cli@example.com");
  });

  it("npm run accounts shows failed accounts and jobs, and why", { timeout: 40_000 }, async () => {
    server.simulator!.faults.errorRate = 1;
    try {
      await run(process.execPath, [script("trigger"), "app_subscriptions/update", "--shop", "stuck.myshopify.com", "--url", server.url], { env });
      await waitFor(async () => (await server.queue.list({ failed: true })).some((j) => j.kind === "provision-account" && j.status === "failed"), 30_000, "job failed");
    } finally {
      server.simulator!.faults.errorRate = 0;
    }
    const failed = await run(process.execPath, [script("accounts"), "list", "--failed"], { env });
    expect(failed.stdout).toMatch(/stuck@example\.com.*failed.*MouseStats answered HTTP 500/);
    expect(failed.stdout).not.toContain("cli@example.com");
    const jobs = await run(process.execPath, [script("accounts"), "jobs", "--failed"], { env });
    expect(jobs.stdout).toMatch(/provision-account.*failed.*12\/12.*stuck@example\.com.*HTTP 500/);
    expect(jobs.stdout).not.toContain("activate-shop");
  });

  it("npm run accounts lists unprocessable webhooks and replays stored ones", async () => {
    const shop = "replay-cli.myshopify.com";
    await postWebhook(server.url, { topic: "orders/paid", shop, eventId: "cli-odd", body: orderPayload({ id: 5, email: null, skus: ["heatmaps-addon"] }) });
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, eventId: "cli-sub", body: subscriptionPayload("ACTIVE") });
    const list = await run(process.execPath, [script("accounts"), "unprocessable"], { env });
    expect(list.stdout).toContain("cli-odd");
    expect(list.stdout).toContain("add-on order has no email");
    expect(list.stdout).not.toContain("cli-sub");

    await expect(run(process.execPath, [script("accounts"), "replay", "cli-odd"], { env }))
      .rejects.toMatchObject({ code: 1, stdout: expect.stringContaining("still unprocessable: add-on order has no email") });
    const replayed = await run(process.execPath, [script("accounts"), "replay", "cli-sub"], { env });
    expect(replayed.stdout).toMatch(/webhook #\d+ replayed: queued activate-shop/);
    // SQLite keeps every job: the delivery's and the replay's. graphile-worker deletes a job once it succeeds.
    if (backend.name === "sqlite") expect(await server.count("jobs where kind = 'activate-shop' and payload like @shop", { shop: `%${shop}%` })).toBe(2);
    await expect(run(process.execPath, [script("accounts"), "replay", "no-such-event"], { env }))
      .rejects.toMatchObject({ code: 1, stdout: expect.stringContaining("no stored webhook") });
  });

  it("npm run accounts lists accounts needing review, adopts one, moves a shop, and hands over compliance work", async () => {
    const accounts = (...args: string[]) => run(process.execPath, [script("accounts"), ...args], { env });
    // A pre-existing MouseStats account under the shop's email: needs review.
    server.simulator!.accounts.set("review-cli@example.com", {
      email: "review-cli@example.com", password: "x", planName: "Pro", planDaysLeft: 1, usage: { heatmapProjects: 0, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 0 },
    });
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop: "review-cli.myshopify.com", body: subscriptionPayload("ACTIVE") });
    await waitFor(() => server.count("shop_accounts where shop = 'review-cli.myshopify.com' and claim = 'needs_review'"), 10_000, "needs review");
    expect((await accounts("list", "--needs-review")).stdout).toContain("review-cli@example.com");
    await expect(accounts("adopt", "review-cli@example.com")).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("usage:") });
    expect((await accounts("adopt", "review-cli@example.com", "--shop", "review-cli.myshopify.com")).stdout).toContain("now owns");
    expect((await accounts("list", "--needs-review")).stdout).toContain("no account needs review");

    // The operator moves the shop to another account on purpose.
    expect((await accounts("move", "review-cli.myshopify.com", "moved-cli@example.com")).stdout).toContain("review-cli.myshopify.com moved to moved-cli@example.com");
    await waitFor(() => server.count("accounts where email = 'moved-cli@example.com' and status = 'active'"), 10_000, "moved account");
    expect(await server.rows("select account_email, access, claim from shop_accounts where shop = 'review-cli.myshopify.com' order by id")).toEqual([
      { account_email: "review-cli@example.com", access: "inactive", claim: "verified" },
      { account_email: "moved-cli@example.com", access: "active", claim: "verified" },
    ]);
    await expect(accounts("move", "nowhere.myshopify.com", "x@example.com")).rejects.toMatchObject({ code: 1 });

    // Compliance: a data request's report is shown once and then delivered; an erasure is closed by hand.
    await postWebhook(server.url, { topic: "orders/paid", shop: "cli.myshopify.com", body: orderPayload({ id: 77, email: "gdpr@cli.com", skus: ["heatmaps-addon"] }) });
    await waitFor(() => server.count("accounts where email = 'gdpr@cli.com' and status = 'active'"), 10_000, "order account");
    await postWebhook(server.url, { topic: "customers/data_request", shop: "cli.myshopify.com", body: { customer: { id: 77, email: "gdpr@cli.com" }, orders_requested: [77], data_request: { id: 1 } } });
    await postWebhook(server.url, { topic: "customers/redact", shop: "cli.myshopify.com", body: { customer: { id: 88, email: "gdpr@cli.com" }, orders_to_redact: [77] } });
    await postWebhook(server.url, { topic: "customers/data_request", shop: "cli.myshopify.com", body: { customer: { id: 99, email: "asks@cli.com" }, orders_requested: [], data_request: { id: 2 } } });
    await waitFor(() => server.count("mousestats_erasures"), 10_000, "erasure");
    await waitFor(() => server.count("compliance_requests where customer_id = '99'"), 10_000, "report");
    const first = await accounts("compliance");
    expect(first.stdout).toContain("gdpr@cli.com");
    expect(first.stdout).toMatch(/account\(s\) to erase at MouseStats/);
    expect(first.stdout).toContain('"customerId": "99"');
    expect(first.stdout).toContain("1 data-request report(s) marked delivered");
    const second = await accounts("compliance");
    expect(second.stdout).not.toContain('"customerId": "99"');
    const [{ id }] = await server.rows<{ id: number }>("select id from mousestats_erasures") as [{ id: number }];
    expect((await accounts("compliance", "close", String(id))).stdout).toContain("closed");
    expect(await server.rows("select email, case when closed_at is not null then 1 else 0 end as closed from mousestats_erasures")).toEqual([{ email: null, closed: 1 }]);
    await expect(accounts("compliance", "close", String(id))).rejects.toMatchObject({ code: 1 });
  });
});

it("the pg_dump advice names host, port, user and database, never the password", () => {
  const advice = pgDumpAdvice("postgres://ops:s3cr%3Dt@db.internal:6543/heatmaps?sslmode=require", "/backups/app dump.pgc");
  expect(advice).toContain("pg_dump --format=custom --file='/backups/app dump.pgc' --host=db.internal --port=6543 --username=ops --dbname=heatmaps");
  expect(advice).not.toMatch(/s3cr/);
  expect(advice).toContain("PGPASSWORD");
});

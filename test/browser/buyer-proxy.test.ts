import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromiumInstalled, CHROMIUM_PATH, launchChromium, newOfflineContext, screenshot } from "../helpers/browser.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { orderPayload, postWebhook } from "../helpers/webhook-request.ts";

const HAS_CHROMIUM = chromiumInstalled();
if (!HAS_CHROMIUM) console.warn(`BROWSER TEST SKIPPED: ${CHROMIUM_PATH} not installed; the buyers' page was not tested in a browser.`);

const STORE = "buyer-store.myshopify.com";

/** The buyer's side: the sandbox's stand-in storefront signs and forwards to /proxy as Shopify's app proxy would. */
describe.skipIf(!HAS_CHROMIUM)("the buyers' page through the stand-in storefront, in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ ADDON_SKUS: "HM", ADDON_PRODUCT_URL: "/products/heatmaps" }), launchChromium()]);
    const order = (id: number, email: string, customer: number) => postWebhook(server.url, {
      topic: "orders/paid", shop: STORE, body: JSON.stringify({ ...orderPayload({ id, email, skus: ["HM"] }), customer: { id: customer, email } }),
    });
    await order(1, "ada@buyers.test", 41);
    // An account that already existed at MouseStats: the store must confirm it.
    server.simulator!.accounts.set("taken@buyers.test", { email: "taken@buyers.test", password: "x", planName: "Pro", planDaysLeft: 3, usage: { heatmapProjects: 0, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 0 } });
    await order(2, "taken@buyers.test", 42);
    await waitFor(() => server.database.sqlite.prepare("select count(*) n from shop_accounts where claim != 'pending'").pluck().get() === 2, 10_000, "accounts settled");
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => { await context?.close(); });

  async function storefront(): Promise<Page> {
    context = await newOfflineContext(browser);
    return context.newPage();
  }

  it("signs a buyer in, lists their account and opens their MouseStats dashboard in a new tab", async () => {
    const page = await storefront();
    await page.goto(`${server.url}/sandbox/storefront?shop=${STORE}`);
    await page.locator('[data-state="signed-out"]').waitFor();
    await screenshot(page, "buyer-signed-out");

    await page.getByTestId("sign-in").click();
    await page.getByLabel("Customer id").fill("41");
    await page.getByLabel("Email").fill("ada@buyers.test");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('[data-state="accounts"]').waitFor();
    expect(await page.getByTestId("account-email").textContent()).toBe("ada@buyers.test");
    expect(await page.getByTestId("plan").textContent()).toBe("Free");
    await screenshot(page, "buyer-accounts");

    const [dashboard] = await Promise.all([context!.waitForEvent("page"), page.getByTestId("open").click()]);
    await dashboard.waitForURL(/\/mousestats-simulator\/api\/doLogin\?_token=/);
    await dashboard.locator("#account-email").waitFor();
    expect(await dashboard.locator("#account-email").textContent()).toBe("ada@buyers.test");
    await screenshot(dashboard, "buyer-dashboard");
  });

  it("tells a customer without an account where the add-on is sold", async () => {
    const page = await storefront();
    await page.goto(`${server.url}/sandbox/storefront?shop=${STORE}&customer=77&email=nobody@buyers.test`);
    await page.locator('[data-state="none"]').waitFor();
    expect(await page.getByTestId("product").getAttribute("href")).toBe("/products/heatmaps");
    await screenshot(page, "buyer-none");
  });

  it("says so when the store must confirm an account first, and refuses to open one that is not theirs", async () => {
    const page = await storefront();
    await page.goto(`${server.url}/sandbox/storefront?shop=${STORE}&customer=42&email=taken@buyers.test`);
    await page.locator('[data-status="needs_review"]').waitFor();
    expect(await page.getByTestId("open").count()).toBe(0);
    await screenshot(page, "buyer-needs-review");

    await page.goto(`${server.url}/sandbox/storefront/apps/heatmaps/open?email=ada%40buyers.test`);
    await page.locator('[data-reason="no-account"]').waitFor();
    await screenshot(page, "buyer-refused");
  });
});

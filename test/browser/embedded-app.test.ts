import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createWebhookDeliverer } from "../../src/sandbox/deliver-webhook.ts";
import { createWebhookSigner } from "../../src/shopify/webhook-hmac.ts";
import { samplePayload } from "../../src/webhooks/sample-payloads.ts";
import { chromiumInstalled, CHROMIUM_PATH, launchChromium, newOfflineContext, screenshot } from "../helpers/browser.ts";
import { adoptAccount } from "../../src/provisioning/account-admin.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

const HAS_CHROMIUM = chromiumInstalled();
if (!HAS_CHROMIUM) console.warn(`BROWSER TEST SKIPPED: ${CHROMIUM_PATH} not installed`);

const FLOW_TIMEOUT_MS = 60_000;
const USAGE = { heatmapProjects: 3, playbackProjects: 2, heatmapVisits: 1234, playbackVisits: 567 };

describe.skipIf(!HAS_CHROMIUM)("embedded page in Chromium (sandbox shop, simulated MouseStats, CDN stubbed)", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await context?.close();
    Object.assign(simulator().faults, { latencyMs: 0, errorRate: 0, errorStatus: 500 });
  });

  const simulator = () => server.simulator!;
  const badge = (page: Page) => page.getByTestId("status-badge");

  async function openPage(shop: string): Promise<Page> {
    context = await newOfflineContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/?shop=${shop}&host=YWRtaW4&embedded=1`);
    return page;
  }

  /** Subscribe → the sandbox's confirmation page → Approve → back on the embedded page. */
  async function subscribeAndApprove(page: Page, screenshotName?: string): Promise<string> {
    // By role: without polaris.js the custom element still has to be a button to assistive tech.
    await page.getByRole("button", { name: /subscribe/i }).click();
    await page.waitForURL(/\/sandbox\/confirm\?charge=\d+/);
    const chargeId = new URL(page.url()).searchParams.get("charge")!;
    if (screenshotName) await screenshot(page, screenshotName);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.waitForURL(/[?&]charge_id=/);
    return chargeId;
  }

  it("subscribes, provisions, shows usage and opens the MouseStats dashboard in a new tab", async () => {
    const page = await openPage("fresh-shop.myshopify.com");
    await expect.poll(() => badge(page).textContent()).toBe("Not subscribed");
    await expect.poll(() => page.getByTestId("view-none").isVisible()).toBe(true);
    await screenshot(page, "none");

    simulator().faults.latencyMs = 1500; // three MouseStats calls: pending stays visible for seconds
    await subscribeAndApprove(page, "confirmation");
    await page.getByTestId("view-pending").waitFor();
    expect(await badge(page).textContent()).toBe("Setting up");
    await screenshot(page, "pending");

    await page.getByTestId("view-active").waitFor({ timeout: 20_000 });
    simulator().faults.latencyMs = 0;
    // The merchant uses MouseStats; once the cached figures are 5 minutes old the page shows new ones.
    simulator().setAccountUsage("fresh-shop@example.com", USAGE);
    server.advanceClock(6 * 60_000);
    await page.reload();
    await page.getByTestId("view-active").waitFor();
    expect(await badge(page).textContent()).toBe("Active");
    expect(await page.getByTestId("usage-heatmap-visits-value").textContent()).toBe("1,234");
    expect(await page.getByTestId("usage-playback-visits-value").textContent()).toBe("567");
    expect(await page.getByTestId("usage-heatmap-projects-value").textContent()).toBe("3");
    expect(await page.getByTestId("usage-playback-projects-value").textContent()).toBe("2");
    expect(await page.getByTestId("plan-name").textContent()).toBe("Free");
    expect(await page.getByTestId("account-email").textContent()).toBe("fresh-shop@example.com");
    await expect.poll(() => page.getByTestId("usage-checked-at").isVisible()).toBe(true);
    await screenshot(page, "active");
    await page.setViewportSize({ width: 390, height: 844 }); // the admin on a phone
    await screenshot(page, "active-narrow");
    await page.setViewportSize({ width: 1100, height: 800 });

    // Two minutes later the token the page holds has expired: the API answers 401, the page gets
    // a fresh one (App Bridge's job in the admin) and the click still works.
    server.advanceClock(2 * 60_000);
    const [dashboard] = await Promise.all([context.waitForEvent("page"), page.getByTestId("open-button").click()]);
    await dashboard.waitForURL(/\/mousestats-simulator\/api\/doLogin\?_token=/);
    await dashboard.locator("#account-email").waitFor();
    expect(await dashboard.locator("#account-email").textContent()).toBe("fresh-shop@example.com");
    expect(await dashboard.locator("#heatmap-visits").textContent()).toBe("1234");
    await screenshot(dashboard, "dashboard");
    expect(page.url()).toContain("fresh-shop.myshopify.com"); // the app stays where it was
    await dashboard.close();

    // MouseStats goes down: figures are marked stale and a login link fails with a banner.
    Object.assign(simulator().faults, { errorRate: 1, errorStatus: 500 });
    server.advanceClock(6 * 60_000);
    await page.reload();
    await page.getByTestId("usage-stale").waitFor();
    const [blankTab] = await Promise.all([context.waitForEvent("page"), page.getByTestId("open-button").click()]);
    await page.getByTestId("error-banner").waitFor();
    expect(await page.getByTestId("error-banner").textContent()).toContain("MouseStats could not sign you in");
    await expect.poll(() => blankTab.isClosed()).toBe(true); // the tab opened for the link is not left behind
    expect(await page.getByTestId("open-button").getAttribute("disabled")).toBeNull();
    await screenshot(page, "active-mousestats-down");
  }, FLOW_TIMEOUT_MS);

  it("shows a failed provisioning with its reason, retries it to active, and goes inactive on cancellation", async () => {
    const shop = "broken-shop.myshopify.com";
    const page = await openPage(shop);
    await page.getByTestId("view-none").waitFor();

    // MouseStats refuses with a 400: a permanent failure, so no backoff retries.
    Object.assign(simulator().faults, { errorRate: 1, errorStatus: 400 });
    const chargeId = await subscribeAndApprove(page);
    await page.getByTestId("view-failed").waitFor({ timeout: 20_000 });
    expect(await badge(page).textContent()).toBe("Needs attention");
    expect((await page.getByTestId("failed-reason").textContent())?.trim()).not.toBe("");
    await screenshot(page, "failed");

    // Retry while MouseStats still has trouble (a transient 503): the job backs off and the
    // page shows the last problem while it keeps trying.
    simulator().faults.errorStatus = 503;
    await page.getByTestId("retry-button").click();
    await page.getByTestId("pending-problem").waitFor({ timeout: 20_000 });
    expect(await badge(page).textContent()).toBe("Setting up");
    await screenshot(page, "pending-retrying");
    simulator().faults.errorRate = 0;
    await page.getByTestId("view-active").waitFor({ timeout: 30_000 });
    expect(await badge(page).textContent()).toBe("Active");
    expect(simulator().accounts.has("broken-shop@example.com")).toBe(true);

    // The merchant cancels the subscription in Shopify.
    const deliver = createWebhookDeliverer({ baseUrl: server.url, signer: createWebhookSigner(server.config.shopify.apiSecret) });
    const at = new Date(Date.now() + 24 * 60 * 60_000).toISOString();
    await deliver("app_subscriptions/update", shop, samplePayload("app_subscriptions/update", { shop, status: "CANCELLED", id: Number(chargeId), at }));
    await expect.poll(async () => {
      await page.reload();
      await page.locator('#app:not([data-state="loading"])').waitFor();
      return page.locator("#app").getAttribute("data-state");
    }, { timeout: 15_000 }).toBe("inactive");
    expect(await badge(page).textContent()).toBe("Inactive");
    expect(await page.getByTestId("subscribe-button").textContent()).toBe("Resubscribe");
    await screenshot(page, "inactive");
  }, FLOW_TIMEOUT_MS);

  it("puts an account that already existed at MouseStats under review: no login link until an operator adopts it", async () => {
    const shop = "taken-shop.myshopify.com";
    // Someone already has a MouseStats account under the shop's email (not one this app made).
    simulator().accounts.set("taken-shop@example.com", {
      email: "taken-shop@example.com", password: "theirs", planName: "Pro", planDaysLeft: 200,
      usage: { heatmapProjects: 9, playbackProjects: 9, heatmapVisits: 99_999, playbackVisits: 9_999 },
    });
    const page = await openPage(shop);
    await page.getByTestId("view-none").waitFor();
    await subscribeAndApprove(page);
    await page.getByTestId("view-needs-review").waitFor({ timeout: 20_000 });
    expect(await badge(page).textContent()).toBe("Under review");
    expect(await page.getByTestId("account-email").textContent()).toBe("taken-shop@example.com");
    // Nothing of the other person's account shows, and no button leads into it.
    expect(await page.getByText("99,999").count()).toBe(0);
    expect(await page.getByTestId("open-button").count()).toBe(0);
    await screenshot(page, "needs-review");

    expect(await adoptAccount(server.database, "taken-shop@example.com", shop)).toBe("adopted");
    await page.reload();
    await page.getByTestId("view-active").waitFor();
    expect(await page.getByTestId("plan-name").textContent()).toBe("Pro");
  }, FLOW_TIMEOUT_MS);
});

import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromiumInstalled, CHROMIUM_PATH, launchChromium, newOfflineContext, screenshot } from "../helpers/browser.ts";
import { startTestServer, waitFor, type TestServer } from "../helpers/test-server.ts";
import { postWebhook, subscriptionPayload } from "../helpers/webhook-request.ts";

const HAS_CHROMIUM = chromiumInstalled();
if (!HAS_CHROMIUM) console.warn(`BROWSER TEST SKIPPED: ${CHROMIUM_PATH} not installed; the page's Tracking section was not tested in a browser.`);

const SITE_ID = "5003504249777020952";

describe.skipIf(!HAS_CHROMIUM)("the page's Tracking section in Chromium (sandbox shop)", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => { await context?.close(); });

  async function openActive(shop: string): Promise<Page> {
    await postWebhook(server.url, { topic: "app_subscriptions/update", shop, body: subscriptionPayload("ACTIVE") });
    await waitFor(() => server.database.sqlite.prepare("select 1 from accounts where email = ? and status = 'active'").get(shop.replace(".myshopify.com", "@example.com")), 10_000, "active account");
    context = await newOfflineContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/?shop=${shop}&host=YWRtaW4&embedded=1`);
    await page.getByTestId("view-active").waitFor();
    return page;
  }

  const tracking = (page: Page) => page.locator("#tracking");

  it("saves a validated site ID, shows it as set, and opens the theme editor link in a new tab", async () => {
    const shop = "tracked-shop.myshopify.com";
    const page = await openActive(shop);
    await expect.poll(() => tracking(page).getAttribute("data-state")).toBe("unset");
    expect(await page.getByTestId("tracking-status").textContent()).toContain("Not set up");
    expect(await page.getByTestId("tracking-consent").textContent()).toMatch(/allow analytics/);
    await screenshot(page, "tracking-unset");

    // An invalid ID: the server's reason next to the field, nothing saved.
    await page.getByTestId("tracking-site-id").fill("50035-0424");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByTestId("tracking-error").waitFor();
    expect(await page.getByTestId("tracking-error").textContent()).toMatch(/digits only/);
    expect(await page.getByTestId("tracking-site-id").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByTestId("tracking-site-id").inputValue()).toBe("50035-0424");
    expect(await tracking(page).getAttribute("data-state")).toBe("unset");
    await screenshot(page, "tracking-invalid");

    // A valid one, submitted with Enter: saved, every digit kept.
    await page.getByTestId("tracking-site-id").fill(` ${SITE_ID} `);
    await page.getByTestId("tracking-site-id").press("Enter");
    await expect.poll(() => tracking(page).getAttribute("data-state")).toBe("set");
    expect(await page.getByTestId("tracking-saved-id").textContent()).toBe(SITE_ID);
    expect(await page.getByTestId("tracking-site-id").inputValue()).toBe(SITE_ID);
    expect(await page.getByTestId("tracking-error").isVisible()).toBe(false);
    await page.getByTestId("tracking-notice").waitFor();
    await screenshot(page, "tracking-saved");

    // In sandbox mode the link leads to the sandbox's stand-in for Shopify's theme editor.
    const [editor] = await Promise.all([context!.waitForEvent("page"), page.getByRole("button", { name: "Enable tracking" }).click()]);
    await editor.waitForLoadState();
    expect(editor.url()).toBe(`${server.config.shopify.appUrl}/sandbox/theme-editor?shop=${shop}&activateAppId=sandbox-api-key%2Fmousestats-tracking`);
    expect(await editor.evaluate(() => window.opener)).toBeNull();
    expect(await editor.locator("code").last().textContent())
      .toBe(`https://${shop}/admin/themes/current/editor?context=apps&activateAppId=sandbox-api-key/mousestats-tracking`);
    await screenshot(editor, "tracking-sandbox-theme-editor");
    expect(page.url()).toContain(server.url); // the app stays where it was
    // Left open, the editor tab hides the page, and Chromium then paints the page about once a
    // second: every click (which waits for two frames) and screenshot after took 2 s longer.
    await editor.close();

    // Saved in the (sandbox) shop, not in the page: a reload shows it.
    await page.reload();
    await expect.poll(() => tracking(page).getAttribute("data-state")).toBe("set");
    expect(await page.getByTestId("tracking-site-id").inputValue()).toBe(SITE_ID);

    // Remove asks first; then it is gone from the shop too (a reload shows it unset), and the button with it.
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    expect(await tracking(page).getAttribute("data-state")).toBe("set");
    await page.getByRole("button", { name: "Remove site ID" }).click();
    await expect.poll(() => tracking(page).getAttribute("data-state")).toBe("unset");
    expect(await page.getByTestId("tracking-notice").textContent()).toMatch(/no longer loads MouseStats/);
    expect(await page.getByTestId("tracking-site-id").inputValue()).toBe("");
    await screenshot(page, "tracking-removed");
    await page.reload();
    await expect.poll(() => tracking(page).getAttribute("data-state")).toBe("unset");
    expect(await page.getByTestId("remove-tracking-button").count()).toBe(0);
  });

  it("shows a banner when saving fails for another reason, and keeps what was typed", async () => {
    const page = await openActive("flaky-shop.myshopify.com");
    await expect.poll(() => tracking(page).getAttribute("data-state")).toBe("unset");
    await context!.route("**/api/tracking", (route) =>
      route.request().method() === "PUT" ? route.fulfill({ status: 502, contentType: "application/json", body: JSON.stringify({ error: "Shopify could not be reached; try again shortly" }) }) : route.fallback());
    await page.getByTestId("tracking-site-id").fill(SITE_ID);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByTestId("error-banner").waitFor();
    expect(await page.getByTestId("error-banner").textContent()).toContain("We could not save your site ID");
    expect(await page.getByTestId("tracking-site-id").inputValue()).toBe(SITE_ID);
    expect(await tracking(page).getAttribute("data-state")).toBe("unset");
  });
});

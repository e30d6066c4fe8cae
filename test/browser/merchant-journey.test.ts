import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chromiumInstalled, CHROMIUM_PATH, launchChromium, newOfflineContext, screenshot } from "../helpers/browser.ts";
import { stubAppBridge, type FakeAppExtensions } from "../helpers/fake-app-bridge.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";
import { createWebhookDeliverer } from "../../src/sandbox/deliver-webhook.ts";
import { createWebhookSigner } from "../../src/shopify/webhook-hmac.ts";
import { samplePayload } from "../../src/webhooks/sample-payloads.ts";

const HAS_CHROMIUM = chromiumInstalled();
if (!HAS_CHROMIUM) console.warn(`BROWSER TEST SKIPPED: ${CHROMIUM_PATH} not installed; the merchant's journey was not walked in a browser.`);

const FLOW_TIMEOUT_MS = 90_000;
const SITE_ID = "5003504249777020952";

/** What the journey expects to read in each language (the page's own messages, and Intl's formats). */
const LANGUAGES = {
  en: { browser: "en-US", price: "$9.99 every 30 days", trial: "The first 7 days are free.", badge: { none: "Not subscribed", pending: "Setting up", active: "Active", error: "Problem", review: "Under review", inactive: "Inactive" }, working: "Tracking is working", visits: "1,234" },
  fr: { browser: "fr-FR", price: "9,99 $US tous les 30 jours", trial: "Les 7 premiers jours sont gratuits.", badge: { none: "Non abonné", pending: "Configuration", active: "Actif", error: "Problème", review: "En vérification", inactive: "Inactif" }, working: "Le suivi fonctionne", visits: "1 234" },
} as const;

describe.skipIf(!HAS_CHROMIUM).each(Object.entries(LANGUAGES))("the merchant's journey in %s (Chromium, sandbox shop, CDN stubbed)", (lang, words) => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ SUPPORT_EMAIL: "help@reseller.example", SUPPORT_URL: "https://reseller.example/help", BILLING_TRIAL_DAYS: "7" }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await context?.close();
    Object.assign(server.simulator!.faults, { latencyMs: 0, errorRate: 0, errorStatus: 500 });
  });

  const shot = (page: Page, name: string) => screenshot(page, `journey-${lang}-${name}`);
  /** Intl puts no-break spaces in French numbers and prices (9,99 $US, 1 234): compare them as spaces. */
  const text = async (page: Page, testid: string) => (await page.getByTestId(testid).textContent())?.replace(/\s/g, " ");
  const badge = (page: Page) => page.getByTestId("status-badge");
  const step = (page: Page, id: string) => page.getByTestId(`step-${id}`);

  /** The page as Shopify opens it: `locale` in the URL, the browser in that language too. */
  async function openPage(shop: string, options: { appBridge?: FakeAppExtensions; query?: string } = {}): Promise<Page> {
    context = await newOfflineContext(browser, { locale: words.browser });
    if (options.appBridge) await stubAppBridge(context, options.appBridge);
    const page = await context.newPage();
    await page.goto(`${server.url}/?shop=${shop}&host=YWRtaW4&embedded=1&locale=${lang}${options.query ?? ""}`);
    return page;
  }

  /** No spinner left running, no badge stuck on its loading word. */
  async function expectFinished(page: Page) {
    expect(await page.locator("#app s-spinner").count()).toBe(0);
    expect(await page.locator("#app").getAttribute("aria-busy")).toBe("false");
    expect(await badge(page).textContent()).not.toMatch(/Loading|Chargement/);
  }

  it("subscribes (declined first, then approved), sets up step by step until tracking works", async () => {
    const shop = `journey-${lang}.myshopify.com`;
    const email = `journey-${lang}@example.com`;
    const page = await openPage(shop);
    await page.getByTestId("view-none").waitFor();
    expect(await badge(page).textContent()).toBe(words.badge.none);
    expect(await text(page, "offer-price")).toBe(words.price);
    expect(await text(page, "offer")).toContain(words.trial);
    expect(await page.getByTestId("help").locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href"))))
      .toEqual(["mailto:help@reseller.example", "https://reseller.example/help"]);
    expect(await page.locator("html").getAttribute("lang")).toBe(lang);
    await shot(page, "01-none");

    // Decline on Shopify's confirmation page: back in the app, nothing was charged.
    await page.getByTestId("subscribe-button").click();
    await page.waitForURL(/\/sandbox\/confirm\?charge=\d+/);
    await shot(page, "02-confirmation");
    await page.getByRole("button", { name: "Decline" }).click();
    await page.getByTestId("declined-banner").waitFor();
    expect(await badge(page).textContent()).toBe(words.badge.none);
    await shot(page, "03-declined");

    // Approve: "You're subscribed" while the account is set up (MouseStats slowed down to see it).
    server.simulator!.faults.latencyMs = 1500;
    await page.getByTestId("subscribe-button").click();
    await page.waitForURL(/\/sandbox\/confirm\?charge=\d+/);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByTestId("view-pending").waitFor();
    expect(await badge(page).textContent()).toBe(words.badge.pending);
    await page.getByTestId("subscribed-banner").waitFor();
    await shot(page, "04-pending-subscribed");
    await page.getByTestId("view-active").waitFor({ timeout: 20_000 });
    server.simulator!.faults.latencyMs = 0;
    expect(new URL(page.url()).searchParams.has("charge_id")).toBe(false); // a reload is not another return

    // The checklist: subscribed and account done; the site ID is next; Enable tracking waits for it.
    await expect.poll(() => step(page, "subscribed").getAttribute("data-status")).toBe("done");
    expect(await text(page, "step-subscribed")).toContain(words.price);
    expect(await step(page, "account").getAttribute("data-status")).toBe("done");
    expect(await step(page, "account").textContent()).toContain(email);
    await expect.poll(() => step(page, "site-id").getAttribute("data-status")).toBe("todo");
    expect(await page.getByTestId("enable-tracking-button").getAttribute("disabled")).toBe("");
    expect(await step(page, "visits").getAttribute("data-status")).toBe("todo");
    // The Shopify subscription and the MouseStats plan, apart.
    expect(await text(page, "subscription-name")).toBe(`MouseStats Heatmaps, ${words.price}`);
    expect(await page.getByTestId("plan-name").textContent()).toBe("Free");
    await expectFinished(page);
    await shot(page, "05-active-checklist");

    // Step 3: an invalid ID shows its error; the error clears the moment the input is valid.
    await page.getByTestId("focus-site-id-button").click();
    const input = page.getByTestId("tracking-site-id");
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
    await input.fill("50035-0424");
    await page.getByTestId("save-tracking-button").click();
    await page.getByTestId("tracking-error").waitFor();
    expect(await input.getAttribute("aria-invalid")).toBe("true");
    await shot(page, "06-site-id-invalid");
    await input.fill(SITE_ID);
    await page.getByTestId("tracking-error").waitFor({ state: "hidden" });
    expect(await input.getAttribute("aria-invalid")).toBeNull();
    await input.press("Enter");
    await expect.poll(() => step(page, "site-id").getAttribute("data-status")).toBe("done");
    expect(await step(page, "embed").getAttribute("data-status")).toBe("todo");
    expect(await page.getByTestId("enable-tracking-button").getAttribute("disabled")).toBeNull();
    await shot(page, "07-site-id-saved");

    // Step 4: the theme editor (the sandbox's stand-in) switches the embed on; Check again reads it.
    const [editor] = await Promise.all([context.waitForEvent("page"), page.getByTestId("enable-tracking-button").click()]);
    await editor.waitForLoadState();
    expect(await editor.locator("#embed-state").textContent()).toBe("off");
    await editor.getByRole("button", { name: "Switch on and save" }).click();
    await editor.locator("#embed-state", { hasText: "on" }).waitFor();
    await shot(editor, "08-theme-editor");
    await editor.close();
    await page.getByTestId("check-again-button").first().click();
    await expect.poll(() => step(page, "embed").getAttribute("data-status")).toBe("done");
    expect(await step(page, "visits").getAttribute("data-status")).toBe("todo");
    await shot(page, "09-embed-on");

    // Step 5: visits arrive at MouseStats; once the cached figures are 5 minutes old the page sees them.
    server.simulator!.setAccountUsage(email, { heatmapProjects: 1, playbackProjects: 1, heatmapVisits: 1234, playbackVisits: 0 });
    server.advanceClock(6 * 60_000);
    await page.getByTestId("check-again-button").click();
    await page.getByTestId("tracking-working").waitFor();
    expect(await page.getByTestId("tracking-working").textContent()).toBe(words.working);
    expect(await text(page, "checklist")).toContain(words.visits);
    await expectFinished(page);
    await shot(page, "10-tracking-working");
    await page.getByTestId("show-checklist-button").click();
    expect(await page.locator('[data-testid^="step-"][data-status="done"]').count()).toBe(5);

    // Remove asks first; Cancel keeps the ID.
    await page.getByTestId("remove-tracking-button").click();
    await page.getByTestId("tracking-confirm-remove").waitFor();
    await shot(page, "11-confirm-remove");
    await page.getByTestId("cancel-remove-button").click();
    expect(await page.getByTestId("tracking-confirm-remove").count()).toBe(0);
    expect(await page.getByTestId("tracking-saved-id").textContent()).toBe(SITE_ID);
    await page.setViewportSize({ width: 390, height: 844 }); // the admin on a phone
    await shot(page, "12-active-narrow");
  }, FLOW_TIMEOUT_MS);

  it("reads the embed from App Bridge in the admin, and says what to check when it cannot", async () => {
    const shop = `admin-${lang}.myshopify.com`;
    for (const [status, expected] of [["unavailable", "problem"], ["no-app-api", "problem"], ["rejects", "problem"], ["active", "done"]] as const) {
      const page = await openPage(shop, { appBridge: status });
      if (status === "unavailable") {
        // First visit: subscribe and save a site ID, so step 4 is the one in question.
        await page.getByTestId("subscribe-button").click();
        await page.getByRole("button", { name: "Approve" }).click();
        await page.getByTestId("view-active").waitFor({ timeout: 20_000 });
        await page.getByTestId("tracking-site-id").fill(SITE_ID);
        await page.getByTestId("save-tracking-button").click();
      } else {
        await page.getByTestId("view-active").waitFor();
      }
      await expect.poll(() => step(page, "embed").getAttribute("data-status")).toBe(expected);
      if (status !== "active") await shot(page, `13-embed-${status}`);
      if (status === "no-app-api") expect(await page.getByTestId("enable-tracking-button").getAttribute("disabled")).toBeNull();
      await context.close();
    }
  }, FLOW_TIMEOUT_MS);

  it("finishes every error view: a shop that is not one, no App Bridge, an API that fails, a charge being confirmed", async () => {
    let page = await openPage("not-a-shop.example.com");
    await page.getByTestId("view-error").waitFor();
    expect(await badge(page).textContent()).toBe(words.badge.error);
    expect(await page.getByTestId("view-error").locator("a").count()).toBe(2); // the help link
    await expectFinished(page);
    await shot(page, "14-error-invalid-shop");
    await context.close();

    // Outside the admin without App Bridge (here: the sandbox's stand-in blocked).
    context = await newOfflineContext(browser, { locale: words.browser });
    await context.route("**/sandbox/app-bridge.js", (route) => route.abort());
    page = await context.newPage();
    await page.goto(`${server.url}/?shop=lost-${lang}.myshopify.com&locale=${lang}`);
    await page.getByTestId("view-error").waitFor();
    await expectFinished(page);
    await shot(page, "15-error-no-app-bridge");
    await context.close();

    // The app answers 500 on the first load: a finished error view with Try again, which then works.
    context = await newOfflineContext(browser, { locale: words.browser });
    let failing = true;
    await context.route("**/api/account", (route) => (failing
      ? route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: "internal error", code: "internal" }) })
      : route.fallback()));
    page = await context.newPage();
    await page.goto(`${server.url}/?shop=flaky-${lang}.myshopify.com&locale=${lang}`);
    await page.getByTestId("view-error").waitFor();
    expect(await page.getByTestId("error-message").textContent()).not.toContain("internal error"); // the merchant's words, not ours
    await expectFinished(page);
    await shot(page, "16-error-api");
    failing = false;
    await page.getByTestId("reload-button").click();
    await page.getByTestId("view-none").waitFor();
    await context.close();

    // Back from an approval Shopify has not reported yet: "checking", which polls by itself.
    page = await openPage(`waiting-${lang}.myshopify.com`, { query: "&charge_id=424242" });
    await page.getByTestId("view-confirming").waitFor();
    await shot(page, "17-confirming");
  }, FLOW_TIMEOUT_MS);

  it("shows needs-review, failed and inactive accounts finished, with help", async () => {
    const taken = `taken-${lang}.myshopify.com`;
    server.simulator!.accounts.set(`taken-${lang}@example.com`, {
      email: `taken-${lang}@example.com`, password: "theirs", planName: "Pro", planDaysLeft: 200,
      usage: { heatmapProjects: 9, playbackProjects: 9, heatmapVisits: 99_999, playbackVisits: 9_999 },
    });
    let page = await openPage(taken);
    await page.getByTestId("subscribe-button").click();
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByTestId("view-needs-review").waitFor({ timeout: 20_000 });
    expect(await badge(page).textContent()).toBe(words.badge.review);
    expect(await page.getByTestId("help").count()).toBe(1);
    await expectFinished(page);
    await shot(page, "18-needs-review");
    await context.close();

    const broken = `broken-${lang}.myshopify.com`;
    page = await openPage(broken);
    Object.assign(server.simulator!.faults, { errorRate: 1, errorStatus: 400 });
    await page.getByTestId("subscribe-button").click();
    await page.waitForURL(/\/sandbox\/confirm\?charge=\d+/);
    const chargeId = new URL(page.url()).searchParams.get("charge")!;
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByTestId("view-failed").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("view-failed").getByTestId("help").count()).toBe(0); // the page's help line follows the view
    expect(await page.getByTestId("help").count()).toBe(1);
    await expectFinished(page);
    await shot(page, "19-failed");
    Object.assign(server.simulator!.faults, { errorRate: 0 });
    await page.getByTestId("retry-button").click();
    await page.getByTestId("view-active").waitFor({ timeout: 20_000 });
    await context.close();

    // The merchant cancels the subscription in Shopify.
    const deliver = createWebhookDeliverer({ baseUrl: server.url, signer: createWebhookSigner(server.config.shopify.apiSecret) });
    const at = new Date(Date.now() + 24 * 60 * 60_000).toISOString();
    await deliver("app_subscriptions/update", broken, samplePayload("app_subscriptions/update", { shop: broken, status: "CANCELLED", id: Number(chargeId), at }));
    await expect.poll(async () => {
      page = await openPage(broken);
      await page.locator('#app:not([data-state="loading"])').waitFor();
      const state = await page.locator("#app").getAttribute("data-state");
      if (state !== "inactive") await context.close();
      return state;
    }, { timeout: 15_000 }).toBe("inactive");
    expect(await badge(page).textContent()).toBe(words.badge.inactive);
    expect(await text(page, "offer-price")).toBe(words.price);
    await expectFinished(page);
    await shot(page, "20-inactive");
  }, FLOW_TIMEOUT_MS);
});

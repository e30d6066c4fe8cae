import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromiumInstalled, CHROMIUM_PATH, launchChromium } from "../helpers/browser.ts";
import { serveStorefront, STOREFRONT_URL, type StorefrontOptions } from "./storefront-page.ts";

const SITE_ID = "5003504249777020952";
// Long enough for the fake API's 30 ms answer and any stray late injection to show up.
const SETTLE_MS = 300;

const installed = chromiumInstalled();
if (!installed) console.warn(`BROWSER TEST SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium); the storefront loader was not tested in a browser.`);

describe.skipIf(!installed)("storefront loader (theme app embed) in Chromium", () => {
  let browser: Browser;
  let pageErrors: string[] = [];
  const contexts: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => { await browser?.close(); });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(pageErrors).toEqual([]);
    pageErrors = [];
  });

  async function open(options: StorefrontOptions): Promise<{ page: Page; requests: string[]; window: [number, number] }> {
    const context = await browser.newContext();
    contexts.push(context);
    const { mouseStatsRequests } = await serveStorefront(context, options);
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const before = Date.now();
    await page.goto(STOREFRONT_URL, { waitUntil: "load" });
    // Deferred scripts have run by `load`: if the loader asked for the privacy API, let it answer.
    if (options.privacyApi !== false && (await loadFeaturesCalls(page)) > 0) {
      await page.waitForFunction(() => (window as unknown as { __consent: { loaded: boolean } }).__consent.loaded);
    }
    await page.waitForTimeout(SETTLE_MS);
    return { page, requests: mouseStatsRequests, window: [before, Date.now()] };
  }

  const decide = (page: Page, allowed: boolean) =>
    page.evaluate((a) => (window as unknown as { __consent: { decide(a: boolean): void } }).__consent.decide(a), allowed);
  const injected = (page: Page) => page.evaluate(() => [...document.querySelectorAll("#__mstrkscpt")].map((s) => ({
    async: (s as HTMLScriptElement).async, inHead: s.parentElement === document.head,
  })));
  const loadFeaturesCalls = (page: Page) =>
    page.evaluate(() => (window as unknown as { __consent: { loadFeaturesCalls: number } }).__consent.loadFeaturesCalls);

  function expectScriptUrl(url: string | undefined, [from, to]: [number, number]): void {
    const match = /^https:\/\/ssl\.mousestats\.com\/js\/5\/0\/5003504249777020952\.js\?(\d+)$/.exec(url ?? "");
    expect(match, url).not.toBeNull();
    const bucket = Number(match![1]);
    expect(bucket).toBeGreaterThanOrEqual(Math.floor(from / 600_000));
    expect(bucket).toBeLessThanOrEqual(Math.floor(to / 600_000));
  }

  it("requests nothing before consent, then exactly one script once the visitor allows analytics", async () => {
    const { page, requests, window: loadWindow } = await open({ siteId: SITE_ID, analyticsAllowed: false });
    expect(await loadFeaturesCalls(page)).toBe(1);
    expect(requests).toEqual([]);
    expect(await injected(page)).toEqual([]);

    await decide(page, true);
    await expect.poll(() => requests.length).toBe(1);
    await decide(page, true); // a second banner interaction must not load it again
    await page.waitForTimeout(SETTLE_MS);

    expect(requests).toHaveLength(1);
    expectScriptUrl(requests[0], [loadWindow[0], Date.now()]);
    expect(await injected(page)).toEqual([{ async: true, inHead: true }]);
    expect(await page.evaluate(() => Array.isArray((window as unknown as { MouseStats_Commands: unknown }).MouseStats_Commands))).toBe(true);
  });

  it("requests nothing when the visitor refuses analytics", async () => {
    const { page, requests } = await open({ siteId: SITE_ID, analyticsAllowed: false });
    await decide(page, false);
    await page.waitForTimeout(SETTLE_MS);
    expect(requests).toEqual([]);
    expect(await injected(page)).toEqual([]);
  });

  it("loads exactly one script at once when consent was already given", async () => {
    const { page, requests, window: loadWindow } = await open({ siteId: SITE_ID, analyticsAllowed: true });
    await expect.poll(() => requests.length).toBe(1);
    expectScriptUrl(requests[0], loadWindow);
    await decide(page, true);
    await page.waitForTimeout(SETTLE_MS);
    expect(requests).toHaveLength(1);
    expect(await injected(page)).toHaveLength(1);
  });

  it.each([
    ["no site ID (the block renders nothing)", undefined],
    ["an empty site ID", ""],
    ["letters", "abc123"],
    ["too few digits", "123"],
    ["a leading zero", "0123456"],
    ["too many digits", "1".repeat(21)],
  ])("does nothing for %s, even with consent", async (_name, siteId) => {
    const { page, requests } = await open({ siteId, analyticsAllowed: true });
    expect(await loadFeaturesCalls(page)).toBe(0);
    await decide(page, true);
    await page.waitForTimeout(SETTLE_MS);
    expect(requests).toEqual([]);
    expect(await injected(page)).toEqual([]);
  });

  it("does nothing without Shopify's Customer Privacy API (consent cannot be known)", async () => {
    const { page, requests } = await open({ siteId: SITE_ID, privacyApi: false });
    await page.evaluate(() => document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: { analyticsAllowed: true } })));
    await page.waitForTimeout(SETTLE_MS);
    expect(requests).toEqual([]);
  });

  it("loads once when the loader is on the page twice", async () => {
    const { page, requests } = await open({ siteId: SITE_ID, analyticsAllowed: true, loaderTags: 2 });
    await expect.poll(() => requests.length).toBe(1);
    await page.waitForTimeout(SETTLE_MS);
    expect(requests).toHaveLength(1);
    expect(await injected(page)).toHaveLength(1);
  });

  it("leaves MouseStats' own snippet alone when the theme already has it", async () => {
    const snippet = '<script id="__mstrkscpt" src="https://ssl.mousestats.com/js/5/0/5003504249777020952.js?1" async></script>';
    const { page, requests } = await open({ siteId: SITE_ID, analyticsAllowed: true, extraBody: snippet });
    await decide(page, true);
    await page.waitForTimeout(SETTLE_MS);
    expect(requests).toEqual(["https://ssl.mousestats.com/js/5/0/5003504249777020952.js?1"]);
    expect(await injected(page)).toHaveLength(1);
  });
});

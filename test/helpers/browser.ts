import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Where Debian's `chromium` package puts the browser; `.ci/run` installs it. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** `test-results/screenshots/` in the project root (gitignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A browser context that works offline: Shopify's CDN answers every script with an empty body
 * (so App Bridge and Polaris are absent, as in the offline sandbox) and any other request that
 * leaves the loopback interface is refused.
 */
export async function newOfflineContext(browser: Browser, options: { locale?: string } = {}): Promise<BrowserContext> {
  // The locale is the browser's language (Accept-Language, Intl); the page itself follows Shopify's `locale` parameter first.
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: options.locale ?? "en-US", timezoneId: "UTC" });
  await context.route("https://cdn.shopify.com/**", (route) =>
    route.fulfill({ status: 200, contentType: "application/javascript", body: "" }));
  await context.route((url) => !isLoopback(url), (route) => route.abort("blockedbyclient"));
  return context;
}

function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]"
    || url.protocol === "about:" || url.protocol === "data:" || url.hostname === "cdn.shopify.com";
}

/** Saves a full-page screenshot as `test-results/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true, animations: "disabled" });
}

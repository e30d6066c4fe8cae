import { readFileSync } from "node:fs";
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { PAGE_LANGUAGES } from "./page-locale.ts";
import { loadPageMessages, type Messages } from "./page-messages.ts";

const ALL = loadPageMessages();
const SCRIPTS = ["i18n.js", "views.js", "checklist.js", "tracking.js"].map((name) => readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8"));
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/* eslint-disable @typescript-eslint/no-explicit-any -- the page's globals, read back out of the VM */
/** The page's view scripts in a VM, with only the language's own messages (no English filling gaps), so a missing key shows. */
function loadViews(messages: Messages, lang: string) {
  const meta: Record<string, string> = { "support-email": "help@reseller.example", "support-url": "https://reseller.example/help" };
  const document = {
    documentElement: { lang },
    querySelector: (selector: string) => {
      const name = /meta\[name="([^"]+)"\]/.exec(selector)?.[1];
      return name && meta[name] ? { getAttribute: () => meta[name] } : null;
    },
  };
  const context = createContext({ window: { HeatmapsMessages: messages }, document, Intl, Date, Number, String, Math, Set, Boolean });
  for (const source of SCRIPTS) runInContext(source, context);
  return runInContext("({ I18n, Views, Checklist, Tracking })", context) as { I18n: any; Views: any; Checklist: any; Tracking: any };
}

const OFFER = { name: "MouseStats Heatmaps", amount: 9.99, currencyCode: "EUR", interval: "EVERY_30_DAYS", trialDays: 7, test: true };
const USAGE = { heatmapProjects: 2, playbackProjects: 1, heatmapVisits: 12_345, playbackVisits: 678 };
const ACCOUNT = {
  shop: "x.myshopify.com", email: "x@example.com", status: "active", plan: "Free", planDaysLeft: 30, usage: USAGE, error: null,
  stale: true, usageCheckedAt: "2026-11-01T10:00:00Z", offer: OFFER,
};
const progress = (since: string | null, recorded: boolean) => ({ embedActiveSince: since, visitsAtEmbed: since ? 100 : null, visits: recorded ? 12_345 : 100, recorded });
const TRACKING = (siteId: string | null, extra: object = {}) => ({ siteId, embedUrl: "https://x/editor", withdrawnSiteId: null, progress: progress(null, false), ...extra });
const SUBSCRIPTION = (status: string, trialEndsAt: string | null) => ({
  offer: OFFER, subscription: { name: OFFER.name, status, test: true, createdAt: "2026-11-01T00:00:00Z", trialEndsAt, currentPeriodEnd: "2026-12-01T00:00:00Z" },
});

/** Every view and state the page can show, as markup. */
function renderEverything(v: ReturnType<typeof loadViews>): string[] {
  const out: string[] = [];
  for (const status of ["none", "pending", "active", "failed", "inactive", "needs_review"]) {
    out.push(v.Views.byStatus[status]({ ...ACCOUNT, status, error: status === "pending" ? "MouseStats 503" : null }));
    out.push(v.Views.badge(status)[1]);
  }
  out.push(v.Views.byStatus.active({ ...ACCOUNT, usage: null, usageCheckedAt: null, planDaysLeft: null }));
  out.push(v.Views.byStatus.failed({ ...ACCOUNT, error: null }));
  for (const state of ["loading", "confirming", "error"]) out.push(v.Views.badge(state)[1]);
  out.push(v.Views.confirming(), v.Views.errorView("T", "M", true), v.Views.errorBanner("T", "M", true), v.Views.subscribedBanner(OFFER),
    v.Views.declinedBanner(), v.Views.loginFallback("https://x/login"), v.Views.help(), v.I18n.price({ ...OFFER, interval: "ANNUAL" }));

  const billings = [null, "error", { offer: OFFER, subscription: null }, SUBSCRIPTION("ACTIVE", "2099-01-01T00:00:00Z"), SUBSCRIPTION("ACTIVE", null),
    ...["PENDING", "DECLINED", "CANCELLED", "EXPIRED", "FROZEN"].map((s) => SUBSCRIPTION(s, null))];
  const trackings = [null, TRACKING(null), TRACKING("5003504249777020952"), TRACKING("5003504249777020952", { progress: progress("2026-11-01T00:00:00Z", true) }),
    TRACKING("5003504249777020952", { progress: { ...progress(null, false), visits: 0 } })];
  for (const billing of billings) {
    for (const tracking of trackings) {
      for (const embed of ["checking", "active", "available", "unavailable", "unknown"]) {
        for (const expanded of [false, true]) out.push(v.Checklist.render({ account: ACCOUNT, billing, tracking, embed, expanded }));
      }
    }
  }
  out.push(v.Checklist.render({ account: ACCOUNT, billing: billings[3], tracking: TRACKING("5003504249777020952", { progress: { ...progress(null, false), visits: 5 } }), embed: "unknown", expanded: false }));

  const base = { settings: null, loadError: null, fieldError: null, notice: null, draft: null, confirmingRemove: false };
  const set = TRACKING("5003504249777020952");
  out.push(v.Tracking.render(base), v.Tracking.render({ ...base, loadError: "HTTP 502" }), v.Tracking.render({ ...base, settings: TRACKING(null) }),
    v.Tracking.render({ ...base, settings: TRACKING(null, { withdrawnSiteId: "123456" }) }), v.Tracking.render({ ...base, settings: set, confirmingRemove: true }),
    v.Tracking.render({ ...base, settings: set, notice: "n" }));
  for (const input of ["", "50035-0424", "123", "0123456", "https://ssl.mousestats.com/js/5/0/5003504249777020952.js?1"]) {
    const result = v.Tracking.checkSiteId(input);
    out.push(v.Tracking.render({ ...base, settings: TRACKING(null), fieldError: result.ok ? null : result }));
  }
  return out;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

describe("the page's messages", () => {
  it.each(PAGE_LANGUAGES)("%s has exactly the English keys, with the same placeholders", (lang) => {
    expect(Object.keys(ALL[lang]).sort()).toEqual(Object.keys(ALL.en).sort());
    for (const [key, text] of Object.entries(ALL.en)) expect(placeholders(ALL[lang][key] ?? ""), `${lang} ${key}`).toEqual(placeholders(text));
  });

  it.each(PAGE_LANGUAGES)("renders every view in %s with no key missing and no placeholder left", (lang) => {
    const views = loadViews(ALL[lang], lang);
    const markup = renderEverything(views).join("\n");
    expect([...views.I18n.missing]).toEqual([]);
    expect(markup).not.toMatch(/\{\w+\}/);
    expect(markup).not.toMatch(/\b(?:step|checklist|tracking|errors?|offer|facts|usage)\.[a-zA-Z]+\b/); // a key shown as itself
  });

  it("fails on a missing key: the test's own check sees one", () => {
    const withoutOne = { ...ALL.fr };
    delete withoutOne["step.embed.unknown"];
    const views = loadViews(withoutOne, "fr");
    renderEverything(views);
    expect([...views.I18n.missing]).toEqual(["step.embed.unknown"]);
  });

  it("has no message nobody shows: every key is used by a view, the controller or the HTML", () => {
    const views = loadViews({}, "en");
    renderEverything(views);
    const literal = ["./assets/app.js", "./assets/tracking.js", "./page-html.ts"].map((p) => readFileSync(new URL(p, import.meta.url), "utf8")).join("\n");
    const used = new Set([...views.I18n.missing, ...[...literal.matchAll(/"((?:[a-zA-Z_]+\.)+[a-zA-Z_]+)"/g)].map((m) => m[1])]);
    // Looked up by a value from the server (an error code, Shopify's subscription status), only when the language has it.
    const byServerValue = (key: string) => key.startsWith("errors.") || (key.startsWith("subStatus.") && key !== "subStatus.test");
    for (const key of Object.keys(ALL.en)) if (!byServerValue(key)) expect(used, key).toContain(key);
  });

  it("formats numbers, prices and dates for the locale", () => {
    const price = (lang: string) => loadViews(ALL[lang as "en"] ?? ALL.en, lang).I18n.price(OFFER).replace(/\s/g, " ");
    expect(price("en")).toBe("€9.99 every 30 days");
    expect(price("fr")).toBe("9,99 € tous les 30 jours");
    expect(price("de")).toBe("9,99 € alle 30 Tage");
    expect(price("es")).toBe("9,99 € cada 30 días");
    expect(loadViews(ALL.de, "de").I18n.number(12345)).toBe("12.345");
    expect(loadViews(ALL.fr, "fr").I18n.date("2026-12-06T00:00:00Z")).toBe("6 déc. 2026");
  });

  it("words every error code the API sends that the page can meet", () => {
    const sources = ["../api-routes.ts", "../tracking-routes.ts", "../app.ts", "../../tracking/site-id.ts"].map((p) => readFileSync(new URL(p, import.meta.url), "utf8")).join("\n");
    const codes = new Set([...sources.matchAll(/code: "([a-z_]+)"/g)].map((m) => m[1]!));
    // Never caused by the page (it sends no oversized, malformed or numeric bodies) or answered by a refresh (409):
    // those keep the server's English sentence.
    const serverWords = new Set(["too_large", "bad_request", "site_id_number", "nothing_to_retry", "session_rejected"]);
    for (const code of codes) if (!serverWords.has(code)) expect(ALL.en, code).toHaveProperty(`errors.${code}`);
  });
});

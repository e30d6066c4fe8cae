import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { COMPLIANCE_TOPICS } from "../../src/db/schema.ts";
import { SHOPIFY_API_VERSION } from "../../src/shopify/api-version.ts";
import { HANDLED_TOPICS } from "../../src/webhooks/webhook-jobs.ts";
import { APP_PROXY_PATH } from "../../src/proxy/proxy-routes.ts";

const readToml = (name: string) => parse(readFileSync(new URL(`../../${name}`, import.meta.url), "utf8")) as AppToml;

interface AppToml {
  access_scopes: { scopes: string };
  webhooks: { api_version: string; subscriptions: Array<{ topics?: string[]; compliance_topics?: string[]; uri: string }> };
  [key: string]: unknown;
}

/** Every topic a config subscribes, compliance topics included, sorted. */
const subscribedTopics = (toml: AppToml) =>
  toml.webhooks.subscriptions.flatMap((s) => [...(s.topics ?? []), ...(s.compliance_topics ?? [])]).sort();

describe("shopify.app.toml", () => {
  const toml = readToml("shopify.app.toml");

  it("subscribes exactly the topics the app handles", () => {
    expect(subscribedTopics(toml)).toEqual([...HANDLED_TOPICS].sort());
    const compliance = toml.webhooks.subscriptions.flatMap((s) => s.compliance_topics ?? []);
    expect(compliance.sort()).toEqual([...COMPLIANCE_TOPICS].sort());
  });

  it("sends every topic to POST /webhooks, in the app's API version", () => {
    expect(new Set(toml.webhooks.subscriptions.map((s) => s.uri))).toEqual(new Set(["/webhooks"]));
    expect(toml.webhooks.api_version).toBe(SHOPIFY_API_VERSION);
    const web = parse(readFileSync(new URL("../../shopify.web.toml", import.meta.url), "utf8")) as { webhooks_path: string };
    expect(web.webhooks_path).toBe("/webhooks");
  });

  it("proxies the store's /apps/heatmaps to the app's /proxy, with the scope that needs", () => {
    expect(toml.app_proxy).toEqual({ url: "https://heatmaps.example.com/proxy", subpath: "heatmaps", prefix: "apps" });
    expect(`/${(toml.app_proxy as { prefix: string }).prefix}/${(toml.app_proxy as { subpath: string }).subpath}`).toBe(APP_PROXY_PATH);
    expect(toml.access_scopes.scopes.split(",")).toEqual(expect.arrayContaining(["write_app_proxy", "read_customers"]));
  });

  it("has a twin without the order path, equal in everything else", () => {
    const twin = readToml("shopify.app.without-orders.toml");
    expect(subscribedTopics(twin)).toEqual(HANDLED_TOPICS.filter((t) => t !== "orders/paid").sort());
    const scopes = (t: AppToml) => t.access_scopes.scopes.split(",").map((s) => s.trim()).filter(Boolean);
    // The order path's protected customer data scopes go with it.
    expect(scopes(twin)).toEqual(scopes(toml).filter((s) => s !== "read_orders" && s !== "read_customers"));
    const withoutOrders = (t: AppToml) => ({
      ...t,
      access_scopes: { ...t.access_scopes, scopes: undefined },
      webhooks: { ...t.webhooks, subscriptions: t.webhooks.subscriptions.filter((s) => !s.topics?.includes("orders/paid")) },
    });
    expect(withoutOrders(twin)).toEqual(withoutOrders(toml));
  });
});

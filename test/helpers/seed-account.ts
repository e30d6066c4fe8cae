import { createAccountStore } from "../../src/provisioning/account-store.ts";
import type { TestServer } from "./test-server.ts";

/**
 * Gives `shop` an active account of its own through the app's own store, as a provisioned
 * subscription leaves it (for tests whose subject comes after provisioning).
 */
export async function seedActiveAccount(server: TestServer, shop: string, email = shop.replace(".myshopify.com", "@example.com")): Promise<void> {
  const { database } = server;
  const store = createAccountStore(database);
  await database.transaction((tx) => store.mapShopToAccount({ shop, email, source: "subscription", sourceRef: `gid://shopify/AppSubscription/${shop.length}` }, tx));
  await store.confirmAccount(email, {
    email, planName: "Free", planDaysLeft: 30, usage: { heatmapProjects: 0, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 0 },
  }, { createdByApp: true, now: new Date() });
}

import { openBackend } from "../src/backend/open-backend.ts";
import { createSilentLogger } from "../src/logger.ts";
import type { MouseStatsSimulator } from "../src/mousestats/simulator.ts";
import { createAccountStore } from "../src/provisioning/account-store.ts";
import { createSessionStorage } from "../src/shopify/session-storage.ts";
import { recordShopInstall } from "../src/shopify/shop-record.ts";
import { createTokenCipher } from "../src/shopify/token-cipher.ts";
import { ENCRYPTION_KEY } from "./production-env.ts";

export const seededShop = (i: number) => `seeded-${i}.myshopify.com`;
export const seededEmail = (i: number) => `owner-${i}@example.com`;

/**
 * Puts `count` shops into a new database as a real install and purchase would leave them: the
 * offline session from token exchange (encrypted with the app's key), the shop row with its
 * email, an active MouseStats account mapped to the shop, and the same account at the
 * simulator. Production mode cannot reach Shopify, so this stands in for token exchange.
 */
export async function seedShops(databaseUrl: string, count: number, sim: MouseStatsSimulator): Promise<void> {
  const backend = await openBackend({ url: databaseUrl, logger: createSilentLogger(), now: Date.now, role: "tool" });
  const { database } = backend;
  try {
    const storage = createSessionStorage({ database, cipher: createTokenCipher(Buffer.from(ENCRYPTION_KEY, "hex")) });
    const store = createAccountStore(database);
    const usage = { heatmapProjects: 2, playbackProjects: 1, heatmapVisits: 1234, playbackVisits: 56 };
    for (let i = 0; i < count; i++) {
      const shop = seededShop(i);
      const email = seededEmail(i);
      await storage.storeOfflineSession({ id: `offline_${shop}`, shop, scope: "read_orders", accessToken: `shpat_bench_${i}` });
      await recordShopInstall(database.db, shop, { email, name: `Seeded ${i}`, isDevelopmentStore: false }, new Date());
      await database.transaction((tx) => store.mapShopToAccount({ shop, email, source: "subscription", sourceRef: `gid://shopify/AppSubscription/${i}` }, tx));
      await store.confirmAccount(email, { email, planName: "Free", planDaysLeft: 30, usage }, { createdByApp: true, now: new Date() });
      sim.accounts.set(email, { email, password: "seeded", planName: "Free", planDaysLeft: 30, usage: { ...usage } });
    }
  } finally {
    await backend.close();
  }
}

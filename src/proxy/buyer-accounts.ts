import { and, eq, isNull, sql } from "../db/drizzle.ts";
import type { Database } from "../db/client.ts";
import { accounts, shopAccounts } from "../db/schema.ts";
import { accountOwner } from "../provisioning/account-owner.ts";

/** What a buyer sees of one account they bought (the add-on order path). */
export interface BuyerAccount {
  email: string;
  /** `active` opens; the others say why not yet. */
  status: "active" | "pending" | "failed" | "needs_review";
  plan: string | null;
  planDaysLeft: number | null;
  usage: { heatmapVisits: number | null; playbackVisits: number | null } | null;
}

/**
 * The accounts a store's customer bought, found by their Shopify customer id on that store:
 * the order path's mappings, which keep the order's buyer. A customer never sees another
 * customer's, nor their own on another store (customer ids are per store).
 */
export function createBuyerAccounts(database: Database) {
  const { db } = database;
  const ofBuyer = db.select({ mapping: shopAccounts, account: accounts }).from(shopAccounts)
    .innerJoin(accounts, eq(accounts.email, shopAccounts.accountEmail))
    .where(and(eq(shopAccounts.shop, sql.placeholder("shop")), eq(shopAccounts.source, "order"), eq(shopAccounts.customerId, sql.placeholder("customerId"))))
    .orderBy(shopAccounts.id).prepare();
  const guestOrders = db.select({ email: shopAccounts.accountEmail }).from(shopAccounts)
    .where(and(eq(shopAccounts.shop, sql.placeholder("shop")), eq(shopAccounts.source, "order"), isNull(shopAccounts.customerId))).prepare();

  return {
    list(shop: string, customerId: string): BuyerAccount[] {
      return ofBuyer.all({ shop, customerId }).map(({ mapping, account }) => ({
        email: account.email,
        status: mapping.claim === "needs_review" ? "needs_review" : mapping.claim === "pending" && account.status === "active" ? "pending" : account.status,
        plan: account.planName,
        planDaysLeft: account.planDaysLeft,
        usage: account.usageCheckedAt ? { heatmapVisits: account.heatmapVisits, playbackVisits: account.playbackVisits } : null,
      }));
    },

    /** The emails of the store's orders placed as a guest (no customer id): claimable by a signed-in customer with that email. */
    guestOrderEmails(shop: string): string[] {
      return [...new Set(guestOrders.all({ shop }).map((r) => r.email))];
    },

    /**
     * The signed-in customer's email (read through the Admin API) matches guest orders: from now
     * on they are that customer's, by id, and so is the account made for them.
     */
    claimGuestOrders(shop: string, customerId: string, email: string): number {
      return database.sqlite.transaction(() => {
        const claimed = db.update(shopAccounts).set({ customerId, updatedAt: new Date() })
          .where(and(eq(shopAccounts.shop, shop), eq(shopAccounts.source, "order"), isNull(shopAccounts.customerId), eq(shopAccounts.accountEmail, email))).run().changes;
        if (claimed > 0) {
          const guest = accountOwner({ shop, source: "order", customerId: null });
          db.update(accounts).set({ owner: accountOwner({ shop, source: "order", customerId }), updatedAt: new Date() })
            .where(and(eq(accounts.email, email), eq(accounts.owner, guest))).run();
        }
        return claimed;
      })();
    },
  };
}

export type BuyerAccounts = ReturnType<typeof createBuyerAccounts>;

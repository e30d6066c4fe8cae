import type { ClaimState, MappingSource } from "../db/schema.ts";

/**
 * Whom a MouseStats account is provisioned for: a shop (its subscription or one-time purchase)
 * or an add-on order's buyer, who is a customer of the shop that sold it (a guest has no
 * customer id). Stored as text on the account when its row is first made.
 */
export function accountOwner(mapping: { shop: string; source: MappingSource; customerId?: string | null }): string {
  return mapping.source === "order" ? `buyer:${mapping.shop}:${mapping.customerId ?? "guest"}` : `shop:${mapping.shop}`;
}

export interface ClaimFacts {
  /** The owner the new or renewed mapping stands for. */
  owner: string;
  /** This mapping existed before and was verified: the shop (or buyer) held the account (reinstall, renewal). */
  heldBefore: boolean;
  account: { owner: string | null; createdByApp: boolean; status: "pending" | "active" | "failed" };
}

/**
 * Pure: may this mapping use the account? Only when this app created the account for this very
 * owner, or the owner held it before. An account made for someone else, or one that already
 * existed at MouseStats, needs an operator (`npm run accounts -- adopt`); an account still being
 * provisioned for this owner is `pending` until GetAccount tells.
 */
export function claimFor(facts: ClaimFacts): ClaimState {
  if (facts.heldBefore) return "verified";
  if (facts.account.owner !== facts.owner) return "needs_review";
  if (facts.account.createdByApp) return "verified";
  return facts.account.status === "active" ? "needs_review" : "pending";
}

import type { AppDatabase, Db } from "../db/app-database.ts";

/**
 * What changes a shop's access runs one at a time: its billing events, its uninstall and the
 * operator's move of its account. Each decides from several of the shop's rows (a cancellation
 * withdraws access only when no other billing object is active; a move retires the shop's other
 * own mappings), so on PostgreSQL's read committed two side by side could each miss the other's
 * rows and the last to commit would win (seen: a new subscription's approval and the old one's
 * cancellation left the shop inactive). Taken first in the transaction `tx`, held until it ends.
 */
export function lockShopAccess(database: AppDatabase, shop: string, tx: Db): Promise<void> {
  return database.lockUntilCommit(`shop-access:${shop}`, tx);
}

import { and, eq, inArray, isNotNull, isNull } from "../db/drizzle.ts";
import type { Db } from "../db/app-database.ts";
import { complianceRequests, mousestatsErasures } from "../db/schema.ts";

export interface OpenComplianceWork {
  /** Data requests whose report the operator has not taken yet: hand each to the merchant. */
  dataRequests: Array<{ id: number; shop: string; customerId: string | null; receivedAt: string; report: unknown }>;
  /** MouseStats accounts a redaction left to nobody: erase each at MouseStats (it has no delete call), then close it. */
  erasures: Array<{ id: number; topic: string; shop: string; email: string | null; requestedAt: string }>;
}

/** The operator's compliance work (`npm run accounts -- compliance`); never shown on the merchant's page. */
export function createComplianceWork(db: Db) {
  const openReports = and(eq(complianceRequests.topic, "customers/data_request"), isNotNull(complianceRequests.fulfilledAt), isNull(complianceRequests.deliveredAt));
  return {
    async open(): Promise<OpenComplianceWork> {
      return {
        dataRequests: (await db.select().from(complianceRequests).where(openReports).orderBy(complianceRequests.id))
          .map((r) => ({ id: r.id, shop: r.shop, customerId: r.customerId, receivedAt: r.receivedAt.toISOString(), report: r.report })),
        erasures: (await db.select().from(mousestatsErasures).where(isNull(mousestatsErasures.closedAt)).orderBy(mousestatsErasures.id))
          .map((e) => ({ id: e.id, topic: e.topic, shop: e.shop, email: e.email, requestedAt: e.requestedAt.toISOString() })),
      };
    },

    /** The reports were handed over: they are no longer open. */
    async markDelivered(ids: number[], now: Date): Promise<number> {
      if (ids.length === 0) return 0;
      return (await db.update(complianceRequests).set({ deliveredAt: now }).where(and(openReports, inArray(complianceRequests.id, ids)))
        .returning({ id: complianceRequests.id })).length;
    },

    /** Erased at MouseStats: closed, and the email it named forgotten. */
    async closeErasure(id: number, now: Date): Promise<boolean> {
      return (await db.update(mousestatsErasures).set({ closedAt: now, email: null })
        .where(and(eq(mousestatsErasures.id, id), isNull(mousestatsErasures.closedAt))).returning({ id: mousestatsErasures.id })).length === 1;
    },
  };
}

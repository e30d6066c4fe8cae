import { and, eq, inArray, notExists, or, sql } from "../db/drizzle.ts";
import type { AppDatabase, Db } from "../db/app-database.ts";
import { accounts, complianceRequests, mousestatsErasures, shopAccounts, shopBilling, shopifySessions, shops, webhookEvents } from "../db/schema.ts";
import type { JobHandler } from "../queue/job-handler.ts";
import { JOB_KINDS, type AppJobQueue, type CustomerCompliancePayload, type JobPayloads } from "./job-kinds.ts";

/** Kept webhook bodies that name a customer: by customer id, email, or one of the order ids. */
const CUSTOMER_DELIVERIES = {
  // SQLite reads 64-bit integers in JSON exactly, and the ids are compared as text. `case` makes
  // sure no JSON function sees a body SQLite would call malformed (it throws).
  sqlite: `select id, topic, event_id, received_at from webhook_events
    where shop = @shop and payload is not null and case when json_valid(payload) then
      cast(json_extract(payload, '$.customer.id') as text) = @customerId
      or lower(json_extract(payload, '$.customer.email')) = @email
      or lower(json_extract(payload, '$.email')) = @email
      or lower(json_extract(payload, '$.contact_email')) = @email
      or (topic like 'orders/%' and cast(json_extract(payload, '$.id') as text) in (select value from json_each(@orderIds)))
    else 0 end`,
  // PostgreSQL: json (not jsonb) keeps numbers as written, so `->>` gives a 64-bit id's exact digits.
  // Only verified JSON bodies are kept, so the cast cannot fail.
  postgres: `select id, topic, event_id, received_at from webhook_events
    where shop = @shop and payload is not null and (
      payload::json #>> '{customer,id}' = @customerId
      or lower(payload::json #>> '{customer,email}') = @email
      or lower(payload::json ->> 'email') = @email
      or lower(payload::json ->> 'contact_email') = @email
      or (topic like 'orders/%' and payload::json ->> 'id' in (select json_array_elements_text(@orderIds::json))))`,
};

/**
 * The mandatory compliance topics. What we hold on a shop's customer is the order path (the
 * MouseStats account made for an add-on order's email and its mapping to the shop) and the
 * bodies of webhooks kept for replay that name the customer (their orders, and the compliance
 * requests themselves). MouseStats has no delete call: an account a redaction leaves to nobody
 * becomes open work for the operator (`mousestats_erasures`, `npm run accounts -- compliance`).
 */
export function createComplianceHandlers(database: AppDatabase, queue: AppJobQueue, now: () => number = Date.now) {
  const customerDeliveries = database.statement<{ id: number; topic: string; event_id: string | null; received_at: number }>(CUSTOMER_DELIVERIES[database.dialect]);
  const forgetDelivery = database.statement("update webhook_events set payload = null, unprocessable_reason = null where id = @id");
  const deliveriesOf = (p: CustomerCompliancePayload, tx?: Db) =>
    customerDeliveries.all({ shop: p.shop, customerId: p.customerId, email: p.email, orderIds: JSON.stringify(p.orderIds) }, tx);

  function customerMappings(p: CustomerCompliancePayload, tx: Db) {
    const who = [
      ...(p.email ? [eq(shopAccounts.accountEmail, p.email)] : []),
      ...(p.orderIds.length > 0 ? [inArray(shopAccounts.sourceRef, p.orderIds)] : []),
    ];
    if (who.length === 0) return Promise.resolve([]);
    return tx.select().from(shopAccounts)
      .where(and(eq(shopAccounts.shop, p.shop), eq(shopAccounts.source, "order"), or(...who)));
  }

  const reportCustomerData: JobHandler<JobPayloads["report-customer-data"]> = {
    async run(p) {
      const { db } = database;
      const mappings = await customerMappings(p, db);
      const emails = [...new Set(mappings.map((m) => m.accountEmail))];
      const held = emails.length === 0 ? [] : await db.select().from(accounts).where(inArray(accounts.email, emails));
      const report = {
        orders: mappings.map((m) => ({ orderId: m.sourceRef, email: m.accountEmail, grantedAt: m.createdAt.toISOString() })),
        mouseStatsAccounts: held.map((a) => ({ email: a.email, status: a.status, planName: a.planName, createdByApp: a.createdByApp, createdAt: a.createdAt.toISOString() })),
        webhookBodiesKept: (await deliveriesOf(p)).map((d) => ({ topic: d.topic, eventId: d.event_id, receivedAt: new Date(Number(d.received_at)).toISOString() })),
      };
      await db.insert(complianceRequests).values({
        topic: "customers/data_request", shop: p.shop, customerId: p.customerId, customerEmail: p.email,
        orderIds: p.orderIds, receivedAt: new Date(p.receivedAtMs), fulfilledAt: new Date(now()), report,
      });
    },
  };

  const redactCustomer: JobHandler<JobPayloads["redact-customer"]> = {
    redactPayloadWhenDone: true,
    async run(p) {
      await database.transaction(async (tx) => {
        const mappings = await customerMappings(p, tx);
        const emails = [...new Set(mappings.map((m) => m.accountEmail))];
        if (mappings.length > 0) await tx.delete(shopAccounts).where(inArray(shopAccounts.id, mappings.map((m) => m.id)));
        // Kept bodies that name the customer go too (this request's own included); the rows stay, as dedupe keys.
        const deliveries = await deliveriesOf(p, tx);
        for (const d of deliveries) await forgetDelivery.run({ id: d.id }, tx);
        const erasures = await deleteOrphanAccounts(emails, tx);
        await recordErasures("customers/redact", p.shop, erasures, tx);
        // Earlier data-request reports on this customer describe what is now gone.
        const sameCustomer = [
          ...(p.customerId ? [eq(complianceRequests.customerId, p.customerId)] : []),
          ...(p.email ? [eq(complianceRequests.customerEmail, p.email)] : []),
        ];
        const reportsDeleted = sameCustomer.length === 0 ? 0 : (await tx.delete(complianceRequests)
          .where(and(eq(complianceRequests.shop, p.shop), eq(complianceRequests.topic, "customers/data_request"), or(...sameCustomer)))
          .returning({ id: complianceRequests.id })).length;
        for (const email of [...emails, ...(p.email ? [p.email] : [])]) await queue.forgetFinished({ email }, tx);
        // Keep proof of the request, not the email it named.
        await tx.insert(complianceRequests).values({
          topic: "customers/redact", shop: p.shop, customerId: p.customerId, customerEmail: null,
          orderIds: p.orderIds, receivedAt: new Date(p.receivedAtMs), fulfilledAt: new Date(now()),
          report: { mappingsDeleted: mappings.length, webhookBodiesDeleted: deliveries.length, dataRequestReportsDeleted: reportsDeleted, mouseStatsErasures: erasures.length },
        });
      });
    },
  };

  const redactShop: JobHandler<JobPayloads["redact-shop"]> = {
    async run(p) {
      await database.transaction(async (tx) => {
        const emails = (await tx.select({ email: shopAccounts.accountEmail }).from(shopAccounts).where(eq(shopAccounts.shop, p.shop))).map((r) => r.email);
        await tx.delete(shopAccounts).where(eq(shopAccounts.shop, p.shop));
        const orphaned = await deleteOrphanAccounts([...new Set(emails)], tx);
        await tx.delete(shopifySessions).where(eq(shopifySessions.shop, p.shop));
        await tx.delete(shops).where(eq(shops.domain, p.shop));
        await tx.delete(shopBilling).where(eq(shopBilling.shop, p.shop));
        await tx.delete(webhookEvents).where(eq(webhookEvents.shop, p.shop));
        await tx.delete(complianceRequests).where(eq(complianceRequests.shop, p.shop));
        // Open erasures stay: they are the work of deleting the shop's data at MouseStats.
        await recordErasures("shop/redact", p.shop, orphaned, tx);
        await queue.forgetFinished({ shop: p.shop }, tx);
        await tx.insert(complianceRequests).values({
          topic: "shop/redact", shop: p.shop, receivedAt: new Date(p.receivedAtMs), fulfilledAt: new Date(now()),
          report: { accountsUnmapped: emails.length, mouseStatsErasures: orphaned.length },
        });
      });
    },
  };

  /**
   * Our record of an account goes when no shop maps to it any more; returns those emails. The
   * MouseStats account itself stays (the API cannot delete): see `recordErasures`.
   */
  async function deleteOrphanAccounts(emails: string[], tx: Db): Promise<string[]> {
    if (emails.length === 0) return [];
    const deleted = await tx.delete(accounts).where(and(inArray(accounts.email, emails),
      notExists(tx.select({ one: sql`1` }).from(shopAccounts).where(eq(shopAccounts.accountEmail, accounts.email)))))
      .returning({ email: accounts.email });
    return deleted.map((r) => r.email);
  }

  /** Accounts left to nobody must be erased at MouseStats by hand: open work until the operator closes it. */
  async function recordErasures(topic: "customers/redact" | "shop/redact", shop: string, emails: string[], tx: Db): Promise<void> {
    const requestedAt = new Date(now());
    for (const email of emails) await tx.insert(mousestatsErasures).values({ topic, shop, email, requestedAt });
  }

  return {
    [JOB_KINDS.reportCustomerData]: reportCustomerData,
    [JOB_KINDS.redactCustomer]: redactCustomer,
    [JOB_KINDS.redactShop]: redactShop,
  };
}

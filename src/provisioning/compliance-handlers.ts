import { and, eq, inArray, notExists, or, sql } from "../db/drizzle.ts";
import type { Database } from "../db/client.ts";
import { accounts, complianceRequests, jobs, mousestatsErasures, shopAccounts, shopBilling, shopifySessions, shops, webhookEvents } from "../db/schema.ts";
import type { JobHandler } from "../queue/worker.ts";
import { JOB_KINDS, type CustomerCompliancePayload, type JobPayloads } from "./job-kinds.ts";

/**
 * The mandatory compliance topics. What we hold on a shop's customer is the order path (the
 * MouseStats account made for an add-on order's email and its mapping to the shop) and the
 * bodies of webhooks kept for replay that name the customer (their orders, and the compliance
 * requests themselves). MouseStats has no delete call: an account a redaction leaves to nobody
 * becomes open work for the operator (`mousestats_erasures`, `npm run accounts -- compliance`).
 */
export function createComplianceHandlers(database: Database, now: () => number = Date.now) {
  const { db } = database;
  // Bodies are matched in JSON: SQLite reads 64-bit integers exactly, and the ids are compared as
  // text. `case` makes sure no JSON function sees a body SQLite would call malformed (it throws).
  const customerDeliveries = database.sqlite.prepare(`select id, topic, event_id, received_at from webhook_events
    where shop = @shop and payload is not null and case when json_valid(payload) then
      cast(json_extract(payload, '$.customer.id') as text) = @customerId
      or lower(json_extract(payload, '$.customer.email')) = @email
      or lower(json_extract(payload, '$.email')) = @email
      or lower(json_extract(payload, '$.contact_email')) = @email
      or (topic like 'orders/%' and cast(json_extract(payload, '$.id') as text) in (select value from json_each(@orderIds)))
    else 0 end`);
  const forgetDelivery = database.sqlite.prepare("update webhook_events set payload = null, unprocessable_reason = null where id = ?");
  const deliveriesOf = (p: CustomerCompliancePayload) =>
    customerDeliveries.all({ shop: p.shop, customerId: p.customerId, email: p.email, orderIds: JSON.stringify(p.orderIds) }) as
      { id: number; topic: string; event_id: string | null; received_at: number }[];

  function customerMappings(p: CustomerCompliancePayload) {
    const who = [
      ...(p.email ? [eq(shopAccounts.accountEmail, p.email)] : []),
      ...(p.orderIds.length > 0 ? [inArray(shopAccounts.sourceRef, p.orderIds)] : []),
    ];
    if (who.length === 0) return [];
    return db.select().from(shopAccounts)
      .where(and(eq(shopAccounts.shop, p.shop), eq(shopAccounts.source, "order"), or(...who))).all();
  }

  const reportCustomerData: JobHandler<JobPayloads["report-customer-data"]> = {
    async run(p) {
      const mappings = customerMappings(p);
      const emails = [...new Set(mappings.map((m) => m.accountEmail))];
      const held = emails.length === 0 ? [] : db.select().from(accounts).where(inArray(accounts.email, emails)).all();
      const report = {
        orders: mappings.map((m) => ({ orderId: m.sourceRef, email: m.accountEmail, grantedAt: m.createdAt.toISOString() })),
        mouseStatsAccounts: held.map((a) => ({ email: a.email, status: a.status, planName: a.planName, createdByApp: a.createdByApp, createdAt: a.createdAt.toISOString() })),
        webhookBodiesKept: deliveriesOf(p).map((d) => ({ topic: d.topic, eventId: d.event_id, receivedAt: new Date(d.received_at).toISOString() })),
      };
      db.insert(complianceRequests).values({
        topic: "customers/data_request", shop: p.shop, customerId: p.customerId, customerEmail: p.email,
        orderIds: p.orderIds, receivedAt: new Date(p.receivedAtMs), fulfilledAt: new Date(now()), report,
      }).run();
    },
  };

  const redactCustomer: JobHandler<JobPayloads["redact-customer"]> = {
    redactPayloadWhenDone: true,
    async run(p) {
      database.sqlite.transaction(() => {
        const mappings = customerMappings(p);
        const emails = [...new Set(mappings.map((m) => m.accountEmail))];
        if (mappings.length > 0) db.delete(shopAccounts).where(inArray(shopAccounts.id, mappings.map((m) => m.id))).run();
        // Kept bodies that name the customer go too (this request's own included); the rows stay, as dedupe keys.
        const deliveries = deliveriesOf(p);
        for (const d of deliveries) forgetDelivery.run(d.id);
        const erasures = deleteOrphanAccounts(emails);
        recordErasures("customers/redact", p.shop, erasures);
        // Earlier data-request reports on this customer describe what is now gone.
        const sameCustomer = [
          ...(p.customerId ? [eq(complianceRequests.customerId, p.customerId)] : []),
          ...(p.email ? [eq(complianceRequests.customerEmail, p.email)] : []),
        ];
        const reportsDeleted = sameCustomer.length === 0 ? 0 : db.delete(complianceRequests)
          .where(and(eq(complianceRequests.shop, p.shop), eq(complianceRequests.topic, "customers/data_request"), or(...sameCustomer))).run().changes;
        for (const email of [...emails, ...(p.email ? [p.email] : [])]) {
          db.delete(jobs).where(and(inArray(jobs.status, ["succeeded", "failed"]), sql`json_extract(${jobs.payload}, '$.email') = ${email}`)).run();
        }
        // Keep proof of the request, not the email it named.
        db.insert(complianceRequests).values({
          topic: "customers/redact", shop: p.shop, customerId: p.customerId, customerEmail: null,
          orderIds: p.orderIds, receivedAt: new Date(p.receivedAtMs), fulfilledAt: new Date(now()),
          report: { mappingsDeleted: mappings.length, webhookBodiesDeleted: deliveries.length, dataRequestReportsDeleted: reportsDeleted, mouseStatsErasures: erasures.length },
        }).run();
      })();
    },
  };

  const redactShop: JobHandler<JobPayloads["redact-shop"]> = {
    async run(p) {
      database.sqlite.transaction(() => {
        const emails = db.select({ email: shopAccounts.accountEmail }).from(shopAccounts).where(eq(shopAccounts.shop, p.shop)).all().map((r) => r.email);
        db.delete(shopAccounts).where(eq(shopAccounts.shop, p.shop)).run();
        const orphaned = deleteOrphanAccounts([...new Set(emails)]);
        db.delete(shopifySessions).where(eq(shopifySessions.shop, p.shop)).run();
        db.delete(shops).where(eq(shops.domain, p.shop)).run();
        db.delete(shopBilling).where(eq(shopBilling.shop, p.shop)).run();
        db.delete(webhookEvents).where(eq(webhookEvents.shop, p.shop)).run();
        db.delete(complianceRequests).where(eq(complianceRequests.shop, p.shop)).run();
        db.delete(mousestatsErasures).where(eq(mousestatsErasures.shop, p.shop)).run();
        recordErasures("shop/redact", p.shop, orphaned);
        db.delete(jobs).where(and(inArray(jobs.status, ["succeeded", "failed"]), sql`json_extract(${jobs.payload}, '$.shop') = ${p.shop}`)).run();
        db.insert(complianceRequests).values({
          topic: "shop/redact", shop: p.shop, receivedAt: new Date(p.receivedAtMs), fulfilledAt: new Date(now()),
          report: { accountsUnmapped: emails.length, mouseStatsErasures: orphaned.length },
        }).run();
      })();
    },
  };

  /**
   * Our record of an account goes when no shop maps to it any more; returns those emails. The
   * MouseStats account itself stays (the API cannot delete): see `recordErasures`.
   */
  function deleteOrphanAccounts(emails: string[]): string[] {
    if (emails.length === 0) return [];
    return db.delete(accounts).where(and(inArray(accounts.email, emails),
      notExists(db.select({ one: sql`1` }).from(shopAccounts).where(eq(shopAccounts.accountEmail, accounts.email)))))
      .returning({ email: accounts.email }).all().map((r) => r.email);
  }

  /** Accounts left to nobody must be erased at MouseStats by hand: open work until the operator closes it. */
  function recordErasures(topic: "customers/redact" | "shop/redact", shop: string, emails: string[]) {
    const requestedAt = new Date(now());
    for (const email of emails) db.insert(mousestatsErasures).values({ topic, shop, email, requestedAt }).run();
  }

  return {
    [JOB_KINDS.reportCustomerData]: reportCustomerData,
    [JOB_KINDS.redactCustomer]: redactCustomer,
    [JOB_KINDS.redactShop]: redactShop,
  };
}

import type { AppDatabase } from "../../src/db/app-database.ts";
import { accountOwner } from "../../src/provisioning/account-owner.ts";
import type { HostileSimulator } from "./hostile-simulator.ts";
import type { SoakReader } from "./soak-database.ts";
import type { SenderStats } from "./webhook-sender.ts";
import { POISON_PREFIX, type PlannedEvent } from "./webhook-plan.ts";

export interface SoakFindings {
  problems: string[];
  acceptedEvents: number;
  /** Verified bodies of an unexpected shape, kept for the operator. */
  unprocessableKept: number;
  accountsExpected: number;
  accountsActive: number;
  accountsAtMouseStats: number;
  /** CreateAccount calls that arrived, faulty ones included. */
  createCallsArrived: number;
  /** CreateAccount calls answered 200 with an error text (and no effect) while that fault lasted. */
  createErrorTexts: number;
  /** Mappings to the pre-existing MouseStats account: under review, and attached (must be 0). */
  preexisting: { underReview: number; attached: number };
  /** The accounts the renamed shop's own mappings point to. */
  renamedShopAccounts: string[];
  /** Of those, the calls that reached the simulator's logic (see `createsReached`). */
  createCallsReached: number;
  maxCreatesPerEmail: number;
  /** Jobs the queue holds by state; `succeeded` only where the queue keeps finished jobs (SQLite). */
  jobsByStatus: Record<string, number>;
  /**
   * Attempts each provisioning took (a crash costs one too); the backoff's tail sets the drain
   * time. Null on PostgreSQL: graphile-worker deletes a job once it succeeds.
   */
  provisionAttempts: number[] | null;
}

type Params = Parameters<ReturnType<AppDatabase["statement"]>["get"]>[0];
const count = async (db: AppDatabase, sql: string, params?: Params) => Number((await db.statement<{ n: number }>(sql).get(params))?.n ?? 0);
const rows = <Row>(db: AppDatabase, sql: string, params?: Params) => db.statement<Row>(sql).all(params);

/**
 * What must hold once the queue drained: every acknowledged event stored; every acknowledged
 * add-on event turned into an active account mapped to its shop; no account created twice;
 * no forged or malformed event left a trace; no job failed or left behind.
 */
export async function checkSoak(input: {
  reader: SoakReader; events: readonly PlannedEvent[]; sender: SenderStats; hostile: HostileSimulator;
  /** An account that existed at MouseStats before the run. */
  preexistingEmail: string;
  /** A shop whose email changed once it had its account. */
  renamed: { shop: string; email: string; changedTo: string };
}): Promise<SoakFindings> {
  const { sender, hostile } = input;
  const problems: string[] = [];
  const note = (what: string, samples: readonly string[]) => {
    if (samples.length > 0) problems.push(`${what}: ${samples.length} (e.g. ${samples.slice(0, 3).join("; ")})`);
  };
  const db = input.reader.backend.database;
  const queue = input.reader.backend.queue;
  const storedIds = new Set((await rows<{ event_id: string }>(db, "select event_id from webhook_events")).map((r) => r.event_id));
  const acked = [...sender.acked];
  note("acknowledged events missing from webhook_events (lost after the 200)", acked.filter((e) => !storedIds.has(e.eventId)).map((e) => e.eventId));
  const signedJsonIds = new Set(input.events.filter((e) => e.kind === "valid" || e.kind === "unexpected").map((e) => e.eventId));
  note("stored events that were never sent as valid", [...storedIds].filter((id) => !signedJsonIds.has(id)));
  note("forged or malformed events acknowledged", acked.filter((e) => e.kind === "forged" || e.kind === "malformed").map((e) => e.eventId));
  // Nothing Shopify sent is lost: a body the app cannot act on is kept whole, with the reason.
  const kept = new Map((await rows<{ event_id: string; payload: string | null; unprocessable_reason: string }>(db,
    "select event_id, payload, unprocessable_reason from webhook_events where unprocessable_reason is not null")).map((r) => [r.event_id, r]));
  note("acknowledged unexpected bodies not kept whole as unprocessable", acked.filter((e) => e.kind === "unexpected").filter((e) => {
    const row = kept.get(e.eventId);
    return row?.payload !== e.body || !row.unprocessable_reason;
  }).map((e) => e.eventId));

  const expectedEmails = new Set<string>();
  const lost: string[] = [];
  const accounts = new Map((await rows<{ email: string; status: string; last_error: string | null }>(db, "select email, status, last_error from accounts")).map((r) => [r.email, r]));
  // A shop's own account may be held through either billing source: a one-time purchase older
  // than a subscription event already applied is ignored as stale (shop-handlers.ts).
  const activeMappings = new Set((await rows<{ shop: string; email: string; source: string }>(db,
    "select shop, account_email as email, source from shop_accounts where access = 'active'")).map((m) => `${m.shop} ${m.email} ${m.source === "order" ? "order" : "own"}`));
  for (const e of acked) {
    if (!e.effect) continue;
    const { shop, email, source } = e.effect;
    expectedEmails.add(email);
    const row = accounts.get(email);
    const mapped = activeMappings.has(`${shop} ${email} ${source === "order" ? "order" : "own"}`);
    if (row?.status !== "active" || !mapped) {
      lost.push(`${e.eventId} ${source} ${shop} → ${email}: account ${row?.status ?? "missing"} (${row?.last_error ?? "-"}), mapping ${mapped ? "active" : "missing or inactive"}`);
    }
  }
  note("acknowledged add-on events without their active account and mapping", lost);

  note("accounts nobody asked for", [...accounts.keys()].filter((e) => !expectedEmails.has(e)));
  note("accounts at MouseStats nobody asked for", [...hostile.sim.accounts.keys()].filter((e) => !expectedEmails.has(e) && e !== input.preexistingEmail));
  note("expected accounts missing at MouseStats", [...expectedEmails].filter((e) => !hostile.sim.accounts.has(e)));
  const twice = [...hostile.createsReached].filter(([, n]) => n > 1);
  note("emails whose CreateAccount reached MouseStats more than once", twice.map(([e, n]) => `${e} ×${n}`));

  const poison = `${POISON_PREFIX}%`;
  const traces = [
    await count(db, "select count(*) n from webhook_events where lower(shop) like @poison", { poison }) && "webhook_events",
    await count(db, "select count(*) n from shops where lower(domain) like @poison or lower(email) like @poison", { poison }) && "shops",
    await count(db, "select count(*) n from accounts where email like @poison", { poison }) && "accounts",
    await count(db, "select count(*) n from shop_accounts where lower(shop) like @poison or account_email like @poison", { poison }) && "shop_accounts",
    // The jobs the queue still holds (graphile-worker keeps no succeeded job; the MouseStats calls below cover those).
    await input.reader.jobsMentioning(POISON_PREFIX) && "jobs",
    hostile.sim.calls.some((c) => c.email.startsWith(POISON_PREFIX)) && "MouseStats calls",
  ].filter((t): t is string => typeof t === "string");
  note("forged, malformed, unexpected or non-add-on data found in", traces);

  // Ownership: a mapping uses an account only when the app made it for that very owner.
  const verified = await rows<{ shop: string; email: string; source: "subscription" | "purchase" | "order"; customerId: string | null; owner: string | null }>(db,
    `select m.shop, m.account_email as email, m.source, m.customer_id as "customerId", a.owner from shop_accounts m
    join accounts a on a.email = m.account_email where m.claim = 'verified'`);
  note("mappings using an account made for someone else", verified.filter((m) => accountOwner(m) !== m.owner).map((m) => `${m.shop} ${m.source} → ${m.email} (owner ${m.owner})`));
  note("the pre-existing MouseStats account attached without an operator", verified.filter((m) => m.email === input.preexistingEmail).map((m) => `${m.shop} ${m.source}`));
  const preexisting = {
    underReview: await count(db, "select count(*) n from shop_accounts where account_email = @email and claim = 'needs_review'", { email: input.preexistingEmail }),
    attached: await count(db, "select count(*) n from shop_accounts where account_email = @email and claim = 'verified'", { email: input.preexistingEmail }),
  };
  if (preexisting.underReview === 0) problems.push(`the pre-existing account ${input.preexistingEmail} was never put under review`);
  note("CreateAccount reached MouseStats for the pre-existing account", (hostile.createsReached.get(input.preexistingEmail) ?? 0) > 0 ? [input.preexistingEmail] : []);
  // The renamed shop keeps the account it was first provisioned with.
  const renamedOwn = await rows<{ email: string }>(db, "select account_email as email from shop_accounts where shop = @shop and source in ('subscription', 'purchase')", { shop: input.renamed.shop });
  note("renamed shop moved off its account", renamedOwn.filter((m) => m.email !== input.renamed.email).map((m) => m.email));
  note("account made for the renamed shop's new email", accounts.has(input.renamed.changedTo) ? [input.renamed.changedTo] : []);

  const finished = await input.reader.finishedJobs();
  const stats = await queue.stats();
  const jobsByStatus: Record<string, number> = finished ? { succeeded: finished.succeeded } : {};
  for (const { status, count: n } of stats.jobs) jobsByStatus[status] = (jobsByStatus[status] ?? 0) + n;
  const unfinished = stats.jobs.some((j) => j.count > 0) ? (await queue.list({ limit: 1000 })).filter((j) => j.status !== "succeeded").slice(0, 5) : [];
  note("jobs not succeeded", unfinished.map((j) => `#${j.id} ${j.kind} ${j.status} after ${j.attempts} attempts: ${j.lastError}`));

  note("5xx answers while the server was up", sender.serverErrors.map((e) => `${e.status} for ${e.eventId}: ${e.body}`));
  note("answers other than the expected status", sender.unexpected.map((u) => `${u.kind} ${u.eventId} got ${u.status}, expected ${u.expected}: ${u.body}`));
  if (sender.gaveUp > 0) problems.push(`deliveries never answered: ${sender.gaveUp}`);

  return {
    problems,
    acceptedEvents: acked.filter((e) => e.kind === "valid").length,
    unprocessableKept: kept.size,
    accountsExpected: expectedEmails.size,
    accountsActive: [...accounts.values()].filter((a) => a.status === "active").length,
    accountsAtMouseStats: hostile.sim.accounts.size,
    createCallsArrived: hostile.sim.createAccountCalls(),
    createErrorTexts: [...hostile.outcomes.values()].flat().filter((o) => o === "Create 200 (error text)").length,
    preexisting,
    renamedShopAccounts: [...new Set(renamedOwn.map((m) => m.email))],
    createCallsReached: [...hostile.createsReached.values()].reduce((a, b) => a + b, 0),
    maxCreatesPerEmail: Math.max(0, ...hostile.createsReached.values()),
    jobsByStatus,
    provisionAttempts: finished?.provisionAttempts ?? null,
  };
}

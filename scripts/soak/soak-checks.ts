import Sqlite from "better-sqlite3";
import type { HostileSimulator } from "./hostile-simulator.ts";
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
  /** Of those, the calls that reached the simulator's logic (see `createsReached`). */
  createCallsReached: number;
  maxCreatesPerEmail: number;
  jobsByStatus: Record<string, number>;
  /** Attempts each provisioning took (a crash costs one too); the backoff's tail sets the drain time. */
  provisionAttempts: number[];
}

const count = (db: Sqlite.Database, sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;

/**
 * What must hold once the queue drained: every acknowledged event stored; every acknowledged
 * add-on event turned into an active account mapped to its shop; no account created twice;
 * no forged or malformed event left a trace; no job failed or left behind.
 */
export function checkSoak(input: { dbPath: string; events: readonly PlannedEvent[]; sender: SenderStats; hostile: HostileSimulator }): SoakFindings {
  const { sender, hostile } = input;
  const problems: string[] = [];
  const note = (what: string, samples: readonly string[]) => {
    if (samples.length > 0) problems.push(`${what}: ${samples.length} (e.g. ${samples.slice(0, 3).join("; ")})`);
  };
  const db = new Sqlite(input.dbPath, { readonly: true, fileMustExist: true });
  try {
    const storedIds = new Set((db.prepare("select event_id from webhook_events").all() as { event_id: string }[]).map((r) => r.event_id));
    const acked = [...sender.acked];
    note("acknowledged events missing from webhook_events (lost after the 200)", acked.filter((e) => !storedIds.has(e.eventId)).map((e) => e.eventId));
    const signedJsonIds = new Set(input.events.filter((e) => e.kind === "valid" || e.kind === "unexpected").map((e) => e.eventId));
    note("stored events that were never sent as valid", [...storedIds].filter((id) => !signedJsonIds.has(id)));
    note("forged or malformed events acknowledged", acked.filter((e) => e.kind === "forged" || e.kind === "malformed").map((e) => e.eventId));
    // Nothing Shopify sent is lost: a body the app cannot act on is kept whole, with the reason.
    const kept = db.prepare("select payload, unprocessable_reason from webhook_events where event_id = ?");
    note("acknowledged unexpected bodies not kept whole as unprocessable", acked.filter((e) => e.kind === "unexpected").filter((e) => {
      const row = kept.get(e.eventId) as { payload: string | null; unprocessable_reason: string | null } | undefined;
      return row?.payload !== e.body || !row.unprocessable_reason;
    }).map((e) => e.eventId));

    const expectedEmails = new Set<string>();
    const lost: string[] = [];
    const account = db.prepare("select status, last_error from accounts where email = ?");
    // A shop's own account may be held through either billing source: a one-time purchase older
    // than a subscription event already applied is ignored as stale (shop-handlers.ts).
    const ownMapping = db.prepare("select max(access = 'active') active from shop_accounts where shop = ? and account_email = ? and source in ('subscription', 'purchase')");
    const orderMapping = db.prepare("select max(access = 'active') active from shop_accounts where shop = ? and account_email = ? and source = 'order'");
    for (const e of acked) {
      if (!e.effect) continue;
      const { shop, email, source } = e.effect;
      expectedEmails.add(email);
      const row = account.get(email) as { status: string; last_error: string | null } | undefined;
      const mapped = ((source === "order" ? orderMapping : ownMapping).get(shop, email) as { active: number | null }).active === 1;
      if (row?.status !== "active" || !mapped) {
        lost.push(`${e.eventId} ${source} ${shop} → ${email}: account ${row?.status ?? "missing"} (${row?.last_error ?? "-"}), mapping ${mapped ? "active" : "missing or inactive"}`);
      }
    }
    note("acknowledged add-on events without their active account and mapping", lost);

    const dbEmails = (db.prepare("select email from accounts").all() as { email: string }[]).map((r) => r.email);
    note("accounts nobody asked for", dbEmails.filter((e) => !expectedEmails.has(e)));
    note("accounts at MouseStats nobody asked for", [...hostile.sim.accounts.keys()].filter((e) => !expectedEmails.has(e)));
    note("expected accounts missing at MouseStats", [...expectedEmails].filter((e) => !hostile.sim.accounts.has(e)));
    const twice = [...hostile.createsReached].filter(([, n]) => n > 1);
    note("emails whose CreateAccount reached MouseStats more than once", twice.map(([e, n]) => `${e} ×${n}`));

    const poison = `${POISON_PREFIX}%`;
    const traces = [
      count(db, "select count(*) n from webhook_events where lower(shop) like ?", poison) && "webhook_events",
      count(db, "select count(*) n from shops where lower(domain) like ? or lower(email) like ?", poison, poison) && "shops",
      count(db, "select count(*) n from accounts where email like ?", poison) && "accounts",
      count(db, "select count(*) n from shop_accounts where lower(shop) like ? or account_email like ?", poison, poison) && "shop_accounts",
      count(db, "select count(*) n from jobs where lower(payload) like ?", `%${poison}`) && "jobs",
      hostile.sim.calls.some((c) => c.email.startsWith(POISON_PREFIX)) && "MouseStats calls",
    ].filter((t): t is string => typeof t === "string");
    note("forged, malformed, unexpected or non-add-on data found in", traces);

    const jobsByStatus = Object.fromEntries((db.prepare("select status, count(*) n from jobs group by status").all() as { status: string; n: number }[]).map((r) => [r.status, r.n]));
    const unfinished = db.prepare("select id, kind, status, attempts, last_error from jobs where status != 'succeeded' limit 5").all() as Record<string, unknown>[];
    note("jobs not succeeded", unfinished.map((j) => `#${j.id} ${j.kind} ${j.status} after ${j.attempts} attempts: ${j.last_error}`));

    note("5xx answers while the server was up", sender.serverErrors.map((e) => `${e.status} for ${e.eventId}: ${e.body}`));
    note("answers other than the expected status", sender.unexpected.map((u) => `${u.kind} ${u.eventId} got ${u.status}, expected ${u.expected}: ${u.body}`));
    if (sender.gaveUp > 0) problems.push(`deliveries never answered: ${sender.gaveUp}`);

    return {
      problems,
      acceptedEvents: acked.filter((e) => e.kind === "valid").length,
      unprocessableKept: count(db, "select count(*) n from webhook_events where unprocessable_reason is not null"),
      accountsExpected: expectedEmails.size,
      accountsActive: count(db, "select count(*) n from accounts where status = 'active'"),
      accountsAtMouseStats: hostile.sim.accounts.size,
      createCallsArrived: hostile.sim.createAccountCalls(),
      createCallsReached: [...hostile.createsReached.values()].reduce((a, b) => a + b, 0),
      maxCreatesPerEmail: Math.max(0, ...hostile.createsReached.values()),
      jobsByStatus,
      provisionAttempts: (db.prepare("select attempts from jobs where kind = 'provision-account'").all() as { attempts: number }[]).map((r) => r.attempts),
    };
  } finally {
    db.close();
  }
}

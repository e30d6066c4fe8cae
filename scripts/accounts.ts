/**
 * Operator CLI for support staff, on the app's database:
 *   npm run accounts -- list
 *   npm run accounts -- show <email|shop>
 *   npm run accounts -- retry <email>        (a running app picks the job up within a second)
 *   npm run accounts -- login-link <email>   (mints a MouseStats login link; plan upgrades happen inside the panel)
 *   npm run accounts -- list --needs-review  (accounts waiting for an operator: found at MouseStats, not shown to be the shop's)
 *   npm run accounts -- adopt <email> --shop <shop>   (the shop owns that account: it may use it from now on)
 *   npm run accounts -- move <shop> <email>  (moves a shop to another account on purpose)
 *   npm run accounts -- compliance           (open data-request reports, marked delivered once shown, and MouseStats erasures)
 *   npm run accounts -- compliance close <id> (the erasure was done at MouseStats)
 *   npm run accounts -- unprocessable        (verified webhooks whose body the app could not act on)
 *   npm run accounts -- replay <id>          (plans a stored webhook again, by row id, event id or webhook id)
 */
import { loadConfigOrExit } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { createSilentLogger } from "../src/logger.ts";
import { createMouseStatsClient } from "../src/mousestats/client.ts";
import { parseArgs } from "node:util";
import { adoptAccount, describeAccounts, listAccounts, listNeedsReview, moveShopAccount, retryAccount } from "../src/provisioning/account-admin.ts";
import { createComplianceWork } from "../src/provisioning/compliance-work.ts";
import { createJobQueue } from "../src/queue/job-queue.ts";
import { createWebhookReplay } from "../src/webhooks/webhook-replay.ts";

const USAGE = "usage: npm run accounts -- list [--needs-review] | show <email|shop> | retry <email> | login-link <email> | adopt <email> --shop <shop> | move <shop> <email> | compliance [close <id>] | unprocessable | replay <id>";
const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { "needs-review": { type: "boolean" }, shop: { type: "string" } } });
const [command, arg, arg2] = positionals;
const { config } = loadConfigOrExit();
const database = openDatabase(config.databaseUrl);
const print = (value: unknown) => process.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value, null, 2)}\n`);

try {
  switch (command) {
    case "list": {
      if (flags["needs-review"]) {
        const rows = listNeedsReview(database.db);
        if (rows.length === 0) print("no account needs review");
        else console.table(rows.map((r) => ({ ...r, since: r.since.toISOString() })));
        break;
      }
      const rows = listAccounts(database.db);
      if (rows.length === 0) print("no accounts yet");
      else console.table(rows);
      break;
    }
    case "adopt": {
      if (!arg || !flags.shop) throw new Error(USAGE);
      const outcome = adoptAccount(database, arg.trim().toLowerCase(), flags.shop.trim().toLowerCase());
      print(outcome === "adopted" ? `${flags.shop} now owns ${arg}; its login links work` : `nothing to adopt: ${flags.shop} has no mapping to ${arg} waiting for review`);
      if (outcome !== "adopted") process.exitCode = 1;
      break;
    }
    case "move": {
      if (!arg || !arg2) throw new Error(USAGE);
      const outcome = moveShopAccount(database, createJobQueue({ sqlite: database.sqlite }), arg.trim().toLowerCase(), arg2.trim().toLowerCase());
      print(outcome === "unknown shop" ? `unknown shop ${arg}` : `${arg} ${outcome} to ${arg2}`);
      if (outcome === "unknown shop") process.exitCode = 1;
      break;
    }
    case "compliance": {
      const work = createComplianceWork(database.db);
      if (arg === "close") {
        const id = Number(arg2);
        if (!Number.isSafeInteger(id)) throw new Error(USAGE);
        const closed = work.closeErasure(id, new Date());
        print(closed ? `erasure #${id} closed; its email is forgotten` : `no open erasure #${id}`);
        if (!closed) process.exitCode = 1;
        break;
      }
      const open = work.open();
      print(open);
      // Shown to the operator now: the reports count as delivered.
      const delivered = work.markDelivered(open.dataRequests.map((r) => r.id), new Date());
      if (delivered > 0) print(`${delivered} data-request report(s) marked delivered: hand them to the merchant`);
      if (open.erasures.length > 0) print(`${open.erasures.length} account(s) to erase at MouseStats; then: npm run accounts -- compliance close <id>`);
      break;
    }
    case "show": {
      if (!arg) throw new Error(USAGE);
      const found = describeAccounts(database.db, arg.trim().toLowerCase());
      if (found.length === 0) { print(`nothing known about ${arg}`); process.exitCode = 1; }
      else print(found);
      break;
    }
    case "retry": {
      if (!arg) throw new Error(USAGE);
      const outcome = retryAccount(database, createJobQueue({ sqlite: database.sqlite }), arg.trim().toLowerCase());
      print(outcome === "queued" ? `provisioning of ${arg} queued` : `cannot retry ${arg}: ${outcome}`);
      if (outcome !== "queued") process.exitCode = 1;
      break;
    }
    case "login-link": {
      if (!arg) throw new Error(USAGE);
      if (config.mousestats.simulated) print("note: no partner credentials set; the bundled simulator (inside a running `npm start`) answers");
      const client = createMouseStatsClient({
        baseUrl: config.mousestats.apiUrl, loginUrl: config.mousestats.loginUrl, partnerId: config.mousestats.partnerId,
        partnerSecret: config.mousestats.partnerSecret, timeoutMs: config.mousestats.timeoutMs, logger: createSilentLogger(),
      });
      const token = await client.generateLoginToken(arg.trim().toLowerCase(), config.loginTokenValidHours);
      print(`${client.loginUrl(token)}\n(valid ${config.loginTokenValidHours} h; treat it like a password)`);
      break;
    }
    case "unprocessable": {
      const rows = createWebhookReplay({ sqlite: database.sqlite, queue: createJobQueue({ sqlite: database.sqlite }), rules: { addonSkus: config.addonSkus, billingPlanName: config.billing.name } }).listUnprocessable();
      if (rows.length === 0) print("no unprocessable webhooks");
      else console.table(rows);
      break;
    }
    case "replay": {
      if (!arg) throw new Error(USAGE);
      const result = createWebhookReplay({ sqlite: database.sqlite, queue: createJobQueue({ sqlite: database.sqlite }), rules: { addonSkus: config.addonSkus, billingPlanName: config.billing.name } }).replay(arg);
      switch (result.status) {
        case "replayed": print(`webhook #${result.id} replayed: queued ${result.jobs.join(", ")} (a running app picks them up within a second)`); break;
        case "ignored": print(`webhook #${result.id} replayed: nothing to do (${result.reason})`); break;
        case "unprocessable": print(`webhook #${result.id} is still unprocessable: ${result.reason}`); process.exitCode = 1; break;
        case "no payload": print(`webhook #${result.id} has no stored body (ignored deliveries and redacted ones keep none)`); process.exitCode = 1; break;
        case "not found": print(`no stored webhook with id, event id or webhook id ${arg}`); process.exitCode = 1; break;
      }
      break;
    }
    default:
      print(USAGE);
      process.exitCode = command ? 2 : 0;
  }
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  database.close();
}

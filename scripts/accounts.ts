/**
 * Operator CLI for support staff, on the app's database:
 *   npm run accounts -- list
 *   npm run accounts -- show <email|shop>
 *   npm run accounts -- retry <email>        (a running app picks the job up within a second)
 *   npm run accounts -- login-link <email>   (mints a MouseStats login link; plan upgrades happen inside the panel)
 *   npm run accounts -- unprocessable        (verified webhooks whose body the app could not act on)
 *   npm run accounts -- replay <id>          (plans a stored webhook again, by row id, event id or webhook id)
 */
import { loadConfigOrExit } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { createSilentLogger } from "../src/logger.ts";
import { createMouseStatsClient } from "../src/mousestats/client.ts";
import { describeAccounts, listAccounts, retryAccount } from "../src/provisioning/account-admin.ts";
import { createJobQueue } from "../src/queue/job-queue.ts";
import { createWebhookReplay } from "../src/webhooks/webhook-replay.ts";

const USAGE = "usage: npm run accounts -- list | show <email|shop> | retry <email> | login-link <email> | unprocessable | replay <id>";
const [command, arg] = process.argv.slice(2);
const { config } = loadConfigOrExit();
const database = openDatabase(config.databaseUrl);
const print = (value: unknown) => process.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value, null, 2)}\n`);

try {
  switch (command) {
    case "list": {
      const rows = listAccounts(database.db);
      if (rows.length === 0) print("no accounts yet");
      else console.table(rows);
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

import { createJobQueue } from "../../src/queue/job-queue.ts";
import { createWebhookReplay } from "../../src/webhooks/webhook-replay.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const unprocessable: AccountsCommand = {
  usage: "unprocessable",
  summary: "verified webhooks whose body the app could not act on",
  run(argv, { config, database, print, table }) {
    parseCommandArgs(argv, {}, 0);
    const { sqlite } = database();
    const rows = createWebhookReplay({ sqlite, queue: createJobQueue({ sqlite }), rules: { addonSkus: config.addonSkus, billingPlanName: config.billing.name } }).listUnprocessable();
    if (rows.length === 0) print("no unprocessable webhooks");
    else table(rows);
  },
};

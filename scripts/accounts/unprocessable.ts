import { createWebhookReplay } from "../../src/webhooks/webhook-replay.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const unprocessable: AccountsCommand = {
  usage: "unprocessable",
  summary: "verified webhooks whose body the app could not act on",
  async run(argv, { config, backend, print, table }) {
    parseCommandArgs(argv, {}, 0);
    const { database, queue } = await backend();
    const rows = await createWebhookReplay({ database, queue, rules: { addonSkus: config.addonSkus, billingPlanName: config.billing.name } }).listUnprocessable();
    if (rows.length === 0) print("no unprocessable webhooks");
    else table(rows);
  },
};

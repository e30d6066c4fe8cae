import { createWebhookReplay } from "../../src/webhooks/webhook-replay.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const replay: AccountsCommand = {
  usage: "replay <id>",
  summary: "plans a stored webhook again, by row id, event id or webhook id",
  async run(argv, { config, backend, print }) {
    const [ref] = parseCommandArgs(argv, {}, 1).positionals;
    const { database, queue } = await backend();
    const result = await createWebhookReplay({ database, queue, rules: { addonSkus: config.addonSkus, billingPlanName: config.billing.name } }).replay(ref!);
    switch (result.status) {
      case "replayed": print(`webhook #${result.id} replayed: queued ${result.jobs.join(", ")} (a running app picks them up within a second)`); return 0;
      case "ignored": print(`webhook #${result.id} replayed: nothing to do (${result.reason})`); return 0;
      case "unprocessable": print(`webhook #${result.id} is still unprocessable: ${result.reason}`); return 1;
      case "no payload": print(`webhook #${result.id} has no stored body (ignored deliveries and redacted ones keep none)`); return 1;
      case "not found": print(`no stored webhook with id, event id or webhook id ${ref}`); return 1;
    }
  },
};

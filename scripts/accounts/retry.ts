import { retryAccount } from "../../src/provisioning/account-admin.ts";
import { createJobQueue } from "../../src/queue/job-queue.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const retry: AccountsCommand = {
  usage: "retry <email>",
  summary: "queues a failed provisioning again (a running app picks it up within a second)",
  run(argv, ctx) {
    const [email] = parseCommandArgs(argv, {}, 1).positionals;
    const database = ctx.database();
    const outcome = retryAccount(database, createJobQueue({ sqlite: database.sqlite }), email!.trim().toLowerCase());
    ctx.print(outcome === "queued" ? `provisioning of ${email} queued` : `cannot retry ${email}: ${outcome}`);
    return outcome === "queued" ? 0 : 1;
  },
};

import { retryAccount } from "../../src/provisioning/account-admin.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const retry: AccountsCommand = {
  usage: "retry <email>",
  summary: "queues a failed provisioning again (a running app picks it up within a second)",
  async run(argv, ctx) {
    const [email] = parseCommandArgs(argv, {}, 1).positionals;
    const { database, queue } = await ctx.backend();
    const outcome = await retryAccount(database, queue, email!.trim().toLowerCase());
    ctx.print(outcome === "queued" ? `provisioning of ${email} queued` : `cannot retry ${email}: ${outcome}`);
    return outcome === "queued" ? 0 : 1;
  },
};

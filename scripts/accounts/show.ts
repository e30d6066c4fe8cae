import { describeAccounts } from "../../src/provisioning/account-admin.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const show: AccountsCommand = {
  usage: "show <email|shop>",
  summary: "everything known about an email or a shop domain",
  async run(argv, ctx) {
    const [key] = parseCommandArgs(argv, {}, 1).positionals;
    const found = await describeAccounts((await ctx.backend()).database.db, key!.trim().toLowerCase());
    if (found.length === 0) {
      ctx.print(`nothing known about ${key}`);
      return 1;
    }
    ctx.print(found);
  },
};

import { listAccounts } from "../../src/provisioning/account-admin.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const list: AccountsCommand = {
  usage: "list [--failed]",
  summary: "accounts, each shop's access and why (subscription, purchase, order); --failed: the stuck ones",
  run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { failed: { type: "boolean" } }, 0);
    const rows = listAccounts(ctx.database().db, { failed: values.failed });
    if (rows.length === 0) ctx.print(values.failed ? "no failed or retrying accounts" : "no accounts yet");
    else ctx.table(rows);
  },
};

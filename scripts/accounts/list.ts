import { listAccounts, listNeedsReview } from "../../src/provisioning/account-admin.ts";
import { parseCommandArgs, UsageError, type AccountsCommand } from "./command.ts";

export const list: AccountsCommand = {
  usage: "list [--failed | --needs-review]",
  summary: "accounts, each shop's access and why; --failed: the stuck ones; --needs-review: waiting for an operator",
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { failed: { type: "boolean" }, "needs-review": { type: "boolean" } }, 0);
    if (values.failed && values["needs-review"]) throw new UsageError("--failed and --needs-review do not go together");
    if (values["needs-review"]) {
      // Found at MouseStats, not shown to be the shop's.
      const rows = await listNeedsReview((await ctx.backend()).database.db);
      if (rows.length === 0) ctx.print("no account needs review");
      else ctx.table(rows.map((r) => ({ ...r, since: r.since.toISOString() })));
      return;
    }
    const rows = await listAccounts((await ctx.backend()).database.db, { failed: values.failed });
    if (rows.length === 0) ctx.print(values.failed ? "no failed or retrying accounts" : "no accounts yet");
    else ctx.table(rows);
  },
};

import { parseCommandArgs, UsageError, type AccountsCommand } from "./command.ts";

export const jobs: AccountsCommand = {
  usage: "jobs [--failed] [--limit N]",
  summary: "the newest jobs (50); --failed: failed or retrying ones and their last error",
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { failed: { type: "boolean" }, limit: { type: "string" } }, 0);
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError("--limit must be a whole number above 0");
    const rows = await (await ctx.backend()).queue.list({ failed: values.failed, limit });
    if (rows.length === 0) ctx.print(values.failed ? "no failed or retrying jobs" : "no jobs yet");
    else ctx.table(rows);
  },
};

import { adoptAccount } from "../../src/provisioning/account-admin.ts";
import { parseCommandArgs, UsageError, type AccountsCommand } from "./command.ts";

export const adopt: AccountsCommand = {
  usage: "adopt <email> --shop <shop>",
  summary: "the shop owns that account: it may use it from now on",
  async run(argv, { backend, print }) {
    const { positionals: [email], values } = parseCommandArgs(argv, { shop: { type: "string" } }, 1);
    if (!values.shop) throw new UsageError("--shop <shop> is required");
    const outcome = await adoptAccount((await backend()).database, email!.trim().toLowerCase(), values.shop.trim().toLowerCase());
    print(outcome === "adopted" ? `${values.shop} now owns ${email}; its login links work` : `nothing to adopt: ${values.shop} has no mapping to ${email} waiting for review`);
    return outcome === "adopted" ? 0 : 1;
  },
};

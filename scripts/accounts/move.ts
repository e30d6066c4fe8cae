import { moveShopAccount } from "../../src/provisioning/account-admin.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const move: AccountsCommand = {
  usage: "move <shop> <email>",
  summary: "moves a shop to another account on purpose",
  async run(argv, { backend, print }) {
    const [shop, email] = parseCommandArgs(argv, {}, 2).positionals;
    const { database, queue } = await backend();
    const outcome = await moveShopAccount(database, queue, shop!.trim().toLowerCase(), email!.trim().toLowerCase());
    print(outcome === "unknown shop" ? `unknown shop ${shop}` : `${shop} ${outcome} to ${email}`);
    return outcome === "unknown shop" ? 1 : 0;
  },
};

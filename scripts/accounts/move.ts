import { moveShopAccount } from "../../src/provisioning/account-admin.ts";
import { createJobQueue } from "../../src/queue/job-queue.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const move: AccountsCommand = {
  usage: "move <shop> <email>",
  summary: "moves a shop to another account on purpose",
  run(argv, { database, print }) {
    const [shop, email] = parseCommandArgs(argv, {}, 2).positionals;
    const db = database();
    const outcome = moveShopAccount(db, createJobQueue({ sqlite: db.sqlite }), shop!.trim().toLowerCase(), email!.trim().toLowerCase());
    print(outcome === "unknown shop" ? `unknown shop ${shop}` : `${shop} ${outcome} to ${email}`);
    return outcome === "unknown shop" ? 1 : 0;
  },
};

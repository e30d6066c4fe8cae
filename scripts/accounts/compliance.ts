import { createComplianceWork } from "../../src/provisioning/compliance-work.ts";
import { UsageError, type AccountsCommand } from "./command.ts";

export const compliance: AccountsCommand = {
  usage: "compliance [close <id>]",
  summary: "open data-request reports (marked delivered once shown) and MouseStats erasures; close <id>: erasure done",
  async run(argv, { backend, print }) {
    const work = createComplianceWork((await backend()).database.db);
    if (argv.length > 0) {
      const [sub, idText, ...extra] = argv;
      const id = Number(idText);
      if (sub !== "close" || !Number.isSafeInteger(id) || extra.length > 0) throw new UsageError("expected nothing, or close <id>");
      const closed = await work.closeErasure(id, new Date());
      print(closed ? `erasure #${id} closed; its email is forgotten` : `no open erasure #${id}`);
      return closed ? 0 : 1;
    }
    const open = await work.open();
    print(open);
    // Shown to the operator now: the reports count as delivered.
    const delivered = await work.markDelivered(open.dataRequests.map((r) => r.id), new Date());
    if (delivered > 0) print(`${delivered} data-request report(s) marked delivered: hand them to the merchant`);
    if (open.erasures.length > 0) print(`${open.erasures.length} account(s) to erase at MouseStats; then: npm run accounts -- compliance close <id>`);
  },
};

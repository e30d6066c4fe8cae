import type { AppDatabase } from "../../src/db/app-database.ts";
import { signAppProxyQuery } from "../../src/proxy/app-proxy-signature.ts";

export interface BuyerReach {
  problems: string[];
  /** Order accounts their buyer opened (302 to MouseStats). */
  openedByBuyer: number;
  /** Attempts by someone else (another customer of the store, the same id on another store, a buyer under review) that opened nothing. */
  refusedOthers: number;
}

/**
 * The orders path end to end: through the app's `/proxy/open`, signed as Shopify's app proxy
 * signs, every provisioned order account opens for its buyer and for no one else.
 */
export async function checkBuyerReach(input: { appUrl: string; database: AppDatabase; appSecret: string; stores: readonly string[] }): Promise<BuyerReach> {
  const mappings = await input.database.statement<{ shop: string; customerId: string | null; email: string; claim: string; status: string }>(
    `select m.shop, m.customer_id as "customerId", m.account_email as email, m.claim, a.status from shop_accounts m
    join accounts a on a.email = m.account_email where m.source = 'order' and m.access = 'active'`).all();
  const problems: string[] = [];
  let openedByBuyer = 0;
  let refusedOthers = 0;

  async function open(shop: string, customer: string, email: string): Promise<"opened" | "refused" | "retry" | string> {
    const query = new URLSearchParams({ email, shop, logged_in_customer_id: customer, path_prefix: "/apps/heatmaps", timestamp: String(Math.floor(Date.now() / 1000)) });
    query.set("signature", signAppProxyQuery(query, input.appSecret));
    const res = await fetch(`${input.appUrl}/proxy/open?${query}`, { redirect: "manual" });
    const body = await res.text();
    if (res.status === 302 && /_token=[0-9A-F]{32}$/.test(res.headers.get("location") ?? "")) return "opened";
    // MouseStats failing (the hostile simulator's 5xx and hangs): no token, try again.
    if (body.includes('data-reason="mousestats-down"')) return "retry";
    return /data-reason="([\w-]+)"/.exec(body)?.[1] ?? `HTTP ${res.status}`;
  }
  /** "opened", or why not; a buyer tries again as long as MouseStats is the trouble (as the job would, 12 times). */
  async function buyerOpens(shop: string, customer: string, email: string): Promise<string> {
    let outcome = "retry";
    for (let attempt = 0; attempt < 12 && outcome === "retry"; attempt++) outcome = await open(shop, customer, email);
    return outcome === "retry" ? "MouseStats failed 12 times" : outcome;
  }
  const outsider = async (what: string, shop: string, customer: string, email: string) => {
    if ((await open(shop, customer, email)) === "opened") problems.push(`${what} opened ${email} on ${shop}`);
    else refusedOthers++;
  };

  const tasks = mappings.map((m) => async () => {
    const customer = m.customerId ?? "";
    if (m.claim === "verified" && m.status === "active" && customer) {
      const outcome = await buyerOpens(m.shop, customer, m.email);
      if (outcome === "opened") openedByBuyer++;
      else problems.push(`buyer ${customer} could not open their ${m.email} on ${m.shop}: ${outcome}`);
      await outsider("another customer of the store", m.shop, "999999999", m.email);
      const elsewhere = input.stores.find((s) => s !== m.shop && !mappings.some((o) => o.shop === s && o.customerId === customer && o.email === m.email && o.claim === "verified"));
      if (elsewhere) await outsider("the same customer id on another store", elsewhere, customer, m.email);
    } else if (customer) {
      await outsider(`the buyer of a ${m.claim} ${m.status} mapping`, m.shop, customer, m.email);
    }
  });
  const queue = [...tasks];
  await Promise.all(Array.from({ length: 8 }, async () => { for (let t = queue.shift(); t; t = queue.shift()) await t(); }));
  return { problems, openedByBuyer, refusedOthers };
}

import type { BuyerAccount } from "./buyer-accounts.ts";

/**
 * The buyer's "Your heatmaps" page, answered as `application/liquid`: Shopify renders it inside
 * the store's theme. Every value from us is escaped for HTML and its braces for Liquid (an email
 * may hold `{{`), so Shopify renders none of it as code; the one Liquid expression is ours.
 */
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "{": "&#123;", "}": "&#125;" };
const esc = (value: unknown) => String(value ?? "").replace(/[&<>"'{}]/g, (ch) => ESCAPES[ch]!);
const count = (n: number | null) => (n === null ? "—" : new Intl.NumberFormat("en-US").format(n));

export interface ProxyPageContext {
  /** Where the store serves the proxy, e.g. `/apps/heatmaps` (from Shopify's `path_prefix`). */
  pathPrefix: string;
  /** `ADDON_PRODUCT_URL`: where the add-on is sold, for a customer who has none. */
  productUrl?: string;
}

function shell(state: string, body: string): string {
  return `<div class="mousestats-heatmaps" data-state="${esc(state)}" style="max-width:42rem;margin:2rem auto;padding:0 1rem">
<h1>Your heatmaps</h1>
${body}
</div>`;
}

/** Nobody is signed in: the store's own sign-in, coming back here after. */
export function signedOutPage(ctx: ProxyPageContext): string {
  return shell("signed-out", `<p>Sign in to your account on this store to open the heatmaps dashboard you bought.</p>
<p><a class="button" data-testid="sign-in" href="{{ routes.account_login_url }}?return_url=${esc(encodeURIComponent(ctx.pathPrefix))}">Sign in</a></p>`);
}

const STATUS_TEXT: Record<Exclude<BuyerAccount["status"], "active">, string> = {
  pending: "Your heatmaps account is being set up. This usually takes a minute: refresh this page shortly.",
  failed: "We could not set up this heatmaps account yet. We keep trying; if this lasts, contact the store.",
  needs_review: "An account for this email already existed, so the store must confirm it is yours before you can open it. Contact the store.",
};

function accountCard(account: BuyerAccount, ctx: ProxyPageContext): string {
  const head = `<h2 data-testid="account-email">${esc(account.email)}</h2>`;
  if (account.status !== "active") {
    return `<section data-testid="account" data-status="${esc(account.status)}">${head}<p>${esc(STATUS_TEXT[account.status])}</p></section>`;
  }
  const open = `${ctx.pathPrefix}/open?email=${encodeURIComponent(account.email)}`;
  const usage = account.usage
    ? `<p>Heatmap visits: <strong data-testid="heatmap-visits">${count(account.usage.heatmapVisits)}</strong> · Playback visits: <strong>${count(account.usage.playbackVisits)}</strong></p>`
    : "";
  return `<section data-testid="account" data-status="active">${head}
<p>MouseStats plan: <strong data-testid="plan">${esc(account.plan ?? "—")}</strong>${account.planDaysLeft === null ? "" : ` · ${esc(account.planDaysLeft)} days left`}</p>${usage}
<p><a class="button" data-testid="open" href="${esc(open)}" target="_blank" rel="noopener">Open heatmaps</a></p>
</section>`;
}

function accountsBody(accounts: BuyerAccount[], ctx: ProxyPageContext): string {
  if (accounts.length > 0) return accounts.map((a) => accountCard(a, ctx)).join("\n");
  const buy = ctx.productUrl ? ` <a data-testid="product" href="${esc(ctx.productUrl)}">Get the heatmaps add-on</a>.` : "";
  return `<p data-testid="none">No heatmaps account is linked to your customer account on this store.${buy}</p>
<p>Bought it as a guest, or from another customer account? Sign in with the email you used at checkout, or contact the store.</p>`;
}

/** The customer's accounts, or a note (and the add-on, where to buy it) when there are none. */
export function accountsPage(accounts: BuyerAccount[], ctx: ProxyPageContext): string {
  return shell(accounts.length > 0 ? "accounts" : "none", accountsBody(accounts, ctx));
}

export type OpenRefusal = "no-account" | "choose" | "not-ready" | "rate-limited" | "mousestats-down";

const REFUSALS: Record<OpenRefusal, string> = {
  "no-account": "That heatmaps account is not one you bought on this store.",
  choose: "You have several heatmaps accounts: pick one below.",
  "not-ready": "That heatmaps account cannot be opened yet.",
  "rate-limited": "Too many sign-ins in a short time. Wait a minute and try again.",
  "mousestats-down": "MouseStats could not sign you in right now. Try again in a minute.",
};

/** Why `/open` minted no login token, above the customer's accounts. */
export function openRefusedPage(reason: OpenRefusal, accounts: BuyerAccount[], ctx: ProxyPageContext): string {
  return shell(`refused-${reason}`, `<p role="alert" data-testid="refused" data-reason="${esc(reason)}">${esc(REFUSALS[reason])}</p>\n${accountsBody(accounts, ctx)}`);
}

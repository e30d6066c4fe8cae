// @ts-check
// Views of the embedded page: one function per account state, returning markup built from
// Polaris web components (app.css and decorate() stand in when polaris.js did not load). Every
// value from the API goes through esc(); every word through I18n.t().
"use strict";
const Views = (function views() {
  const { t } = I18n;
  /** @type {Record<string, string>} */
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  /** @param {unknown} value */
  const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);

  /**
   * A message as markup: the text escaped, its `{name}` placeholders replaced by markup the caller escaped.
   * @param {string} key @param {Record<string, string>} markup
   */
  const tMarkup = (key, markup) => esc(t(key)).replace(/\{(\w+)\}/g, (whole, name) => markup[name] ?? whole);

  /** Badge tone and message key of each state the page can be in. */
  /** @type {Record<string, [string, string]>} */
  const BADGES = {
    loading: ["neutral", "badge.loading"], none: ["neutral", "badge.none"], pending: ["info", "badge.pending"],
    active: ["success", "badge.active"], failed: ["critical", "badge.failed"], inactive: ["warning", "badge.inactive"],
    needs_review: ["warning", "badge.needs_review"], confirming: ["info", "badge.confirming"], error: ["critical", "badge.error"],
  };
  /** @param {string} state @returns {[string, string]} tone and label */
  const badge = (state) => {
    const [tone, key] = BADGES[state] ?? BADGES.error;
    return [tone, t(key)];
  };

  /** @param {string} action @param {string} label @param {string} variant @param {string} [attrs] */
  const button = (action, label, variant, attrs = "") =>
    `<s-button variant="${variant}" data-action="${action}" data-testid="${action}-button"${attrs}>${esc(label)}</s-button>`;

  /** @param {string} href @param {string} label @param {string} [testid] */
  const link = (href, label, testid = "") =>
    `<s-link href="${esc(href)}" target="_blank"${testid ? ` data-testid="${testid}"` : ""}>${esc(label)}</s-link>`;

  const meta = (/** @type {string} */ name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") || "";

  /** The help line (SUPPORT_EMAIL, SUPPORT_URL) on every view and in every error; empty when neither is set. */
  function help() {
    const email = meta("support-email");
    const url = meta("support-url");
    if (!email && !url) return "";
    const links = [email && link(`mailto:${email}`, t("help.email")), url && link(url, t("help.url"))].filter(Boolean);
    return `<p class="help" data-testid="help">${esc(t("help.prefix"))} ${links.join(" · ")}</p>`;
  }

  /** @param {Offer} offer */
  function offerFacts(offer) {
    const notes = [offer.trialDays > 0 ? t("offer.trial", { days: offer.trialDays }) : "", offer.test ? t("offer.test") : ""].filter(Boolean);
    return `<s-box class="offer" data-testid="offer"><s-text type="strong" data-testid="offer-price">${esc(I18n.price(offer))}</s-text>
${notes.length ? `<s-paragraph>${esc(notes.join(" "))}</s-paragraph>` : ""}<s-paragraph class="muted" data-testid="offer-cancel">${esc(t("offer.cancel"))}</s-paragraph></s-box>`;
  }

  /** @param {Account} account */
  function none(account) {
    return `<s-section heading="${esc(t("none.heading"))}" data-testid="view-none">
<s-paragraph>${esc(t("none.intro"))}</s-paragraph>
<ul class="benefits"><li>${esc(t("none.benefit1"))}</li><li>${esc(t("none.benefit2"))}</li><li>${esc(t("none.benefit3"))}</li></ul>
${offerFacts(account.offer)}
<div class="actions">${button("subscribe", t("none.subscribe"), "primary")}</div>
</s-section>`;
  }

  /** A state that changes by itself: a spinner while the page polls. @param {string} heading @param {string} body @param {string} testid */
  const waiting = (heading, body, testid, extra = "") => `<s-section data-testid="${testid}">
<div class="loading-row"><s-spinner accessibilitylabel="${esc(heading)}" size="large-100"></s-spinner>
<div><s-heading>${esc(heading)}</s-heading><s-paragraph>${esc(body)}</s-paragraph>${extra}</div></div>
</s-section>`;

  const confirming = () => waiting(t("confirming.heading"), t("confirming.body"), "view-confirming");

  /** @param {Account} account */
  function pending(account) {
    const problem = account.error
      ? `<p class="muted" data-testid="pending-problem">${esc(t("pending.problem", { error: account.error }))}</p>`
      : "";
    return waiting(t("pending.heading"), t("pending.body"), "view-pending", problem);
  }

  /** @type {Array<[keyof Usage, string, keyof Usage]>} */
  const USAGE_TILES = [
    ["heatmapProjects", "heatmap-projects", "playbackProjects"], ["playbackProjects", "playback-projects", "heatmapProjects"],
    ["heatmapVisits", "heatmap-visits", "playbackVisits"], ["playbackVisits", "playback-visits", "heatmapVisits"],
  ];

  /** @param {Usage | null} usage */
  function usageTiles(usage) {
    if (!usage) return `<s-paragraph>${esc(t("usage.none"))}</s-paragraph>`;
    const tiles = USAGE_TILES.map(([key, id, partner]) => {
      const value = Number(usage[key]) || 0;
      const max = Math.max(value, Number(usage[partner]) || 0);
      const share = max > 0 ? Math.round((value / max) * 100) : 0;
      return `<div class="tile" data-testid="usage-${id}"><span class="tile-label">${esc(t(`usage.${key}`))}</span>
<strong class="tile-value" data-testid="usage-${id}-value">${I18n.number(value)}</strong>
<span class="bar" aria-hidden="true"><span class="bar-fill" style="width:${share}%"></span></span></div>`;
    });
    return `<div class="tiles">${tiles.join("")}</div>`;
  }

  /** @param {Account} account */
  function checkedLine(account) {
    if (!account.usageCheckedAt) return "";
    const at = new Date(account.usageCheckedAt);
    const time = `<time datetime="${esc(at.toISOString())}">${esc(I18n.dateTime(at))}</time>`;
    const stale = account.stale ? `<br><span class="stale" data-testid="usage-stale">${esc(t("usage.stale"))}</span>` : "";
    return `<p class="muted" data-testid="usage-checked-at">${tMarkup("usage.checked", { time })}${stale}</p>`;
  }

  /** @param {string} label @param {string} value @param {string} testid @param {string} [note] */
  const fact = (label, value, testid, note = "") =>
    `<div><dt>${esc(label)}</dt><dd data-testid="${testid}">${esc(value)}</dd>${note ? `<dd class="muted">${esc(note)}</dd>` : ""}</div>`;

  /** The Shopify subscription and the MouseStats plan, apart: the plan is what the subscription pays for. */
  /** @param {Account} account */
  function active(account) {
    return `<div id="checklist" data-testid="checklist-area"></div>
<s-section heading="${esc(t("facts.heading"))}" data-testid="view-active">
<dl class="facts">
${fact(t("facts.subscription"), `${account.offer.name}, ${I18n.price(account.offer)}`, "subscription-name")}
${fact(t("facts.msPlan"), account.plan || "—", "plan-name", t("facts.msPlanNote"))}
${fact(t("facts.daysLeft"), account.planDaysLeft === null ? "—" : I18n.number(account.planDaysLeft), "plan-days-left")}
${fact(t("facts.account"), account.email || "—", "account-email")}
</dl>
<div class="actions">${button("open", t("open.button"), "primary")}<span class="muted">${esc(t("open.hint"))}</span></div>
<div id="login-fallback"></div>
</s-section>
<s-section heading="${esc(t("usage.heading"))}">${usageTiles(account.usage)}${checkedLine(account)}</s-section>
<s-section heading="${esc(t("tracking.heading"))}" data-testid="tracking-section"><div id="tracking" data-state="loading"></div></s-section>`;
  }

  /** @param {Account} account */
  const failed = (account) => `<s-banner tone="critical" heading="${esc(t("failed.heading"))}" data-testid="view-failed">
<s-paragraph data-testid="failed-reason">${esc(account.error || t("failed.reason"))}</s-paragraph>
<s-paragraph>${esc(t("failed.body"))}</s-paragraph>
<div class="actions">${button("retry", t("failed.retry"), "primary")}</div>
</s-banner>`;

  /** @param {Account} account */
  const inactive = (account) => `<s-section heading="${esc(t("inactive.heading"))}" data-testid="view-inactive">
<s-paragraph>${esc(t("inactive.body"))}</s-paragraph>
${offerFacts(account.offer)}
<div class="actions">${button("subscribe", t("inactive.resubscribe"), "primary")}</div>
</s-section>`;

  /** @param {Account} account */
  const needsReview = (account) => `<s-section heading="${esc(t("review.heading"))}" data-testid="view-needs-review">
<s-paragraph>${tMarkup("review.body1", { email: `<strong data-testid="account-email">${esc(account.email)}</strong>` })}</s-paragraph>
<s-paragraph>${esc(t("review.body2"))}</s-paragraph>
</s-section>`;

  /** A whole-page problem: no account could be shown. @param {string} title @param {string} message @param {boolean} canReload */
  const errorView = (title, message, canReload) => `<s-section data-testid="view-error">
<s-banner tone="critical" heading="${esc(title)}" data-testid="error-view">
<s-paragraph data-testid="error-message">${esc(message)}</s-paragraph>
${canReload ? `<div class="actions">${button("reload", t("error.tryAgain"), "secondary")}</div>` : ""}${help()}
</s-banner></s-section>`;

  /** @param {string} title @param {string} message @param {boolean} canReload */
  const errorBanner = (title, message, canReload) => `<s-banner tone="critical" heading="${esc(title)}" data-testid="error-banner">
<s-paragraph>${esc(message)}</s-paragraph>${canReload ? `<div class="actions">${button("reload", t("error.tryAgain"), "secondary")}</div>` : ""}${help()}
</s-banner>`;

  /** @param {Offer} offer */
  const subscribedBanner = (offer) => `<s-banner tone="success" heading="${esc(t("subscribed.heading"))}" data-testid="subscribed-banner">
<s-paragraph>${esc(t("subscribed.body", { plan: offer.name, price: I18n.price(offer) }))}</s-paragraph></s-banner>`;

  const declinedBanner = () => `<s-banner tone="info" heading="${esc(t("declined.heading"))}" data-testid="declined-banner">
<s-paragraph>${esc(t("declined.body"))}</s-paragraph></s-banner>`;

  /** @param {string} url */
  const loginFallback = (url) => `<s-paragraph>${esc(t("open.blocked"))} ${link(url, t("open.link"), "login-link")}</s-paragraph>`;

  /** @type {Record<AccountStatus, (account: Account) => string>} */
  const byStatus = { none, pending, active, failed, inactive, needs_review: needsReview };

  return { esc, tMarkup, button, link, badge, help, byStatus, confirming, errorView, errorBanner, subscribedBanner, declinedBanner, loginFallback };
})();

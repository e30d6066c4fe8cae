// Views of the embedded page: one function per account state, returning markup built from
// Polaris web components (styled by app.css when polaris.js did not load). No framework, no
// build step; every value from the API goes through esc(). Loaded before app.js.
"use strict";
window.HeatmapsViews = (function views() {
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
  const count = (n) => new Intl.NumberFormat().format(Number(n) || 0);

  /** Badge tone and label for each account status. */
  const BADGES = {
    none: ["neutral", "Not subscribed"],
    pending: ["info", "Setting up"],
    active: ["success", "Active"],
    failed: ["critical", "Needs attention"],
    inactive: ["warning", "Inactive"],
    needs_review: ["warning", "Under review"],
  };

  const button = (action, label, variant) =>
    `<s-button variant="${variant}" data-action="${action}" data-testid="${action}-button">${esc(label)}</s-button>`;

  function none() {
    return `<s-section heading="See how shoppers use your store" data-testid="view-none">
<s-paragraph>Heatmaps show where visitors click, move and scroll on every page of your store, and session
recordings replay real visits, so you can see what helps shoppers buy and what gets in their way.</s-paragraph>
<ul class="benefits">
<li>Click, movement and scroll heatmaps for your storefront</li>
<li>Playback: recordings of real visits, to watch how shoppers browse</li>
<li>Billed through Shopify: one subscription, cancel any time</li>
</ul>
<div class="actions">${button("subscribe", "Subscribe", "primary")}</div>
</s-section>`;
  }

  function pending(account) {
    const problem = account.error
      ? `<p class="muted" data-testid="pending-problem">Last problem, retrying: ${esc(account.error)}</p>`
      : "";
    return `<s-section data-testid="view-pending">
<div class="loading-row"><s-spinner accessibilitylabel="Creating your account" size="large-100"></s-spinner>
<div><s-heading>Creating your heatmaps account…</s-heading>
<s-paragraph>This usually takes a few seconds. This page updates by itself.</s-paragraph>${problem}</div></div>
</s-section>`;
  }

  function confirming() {
    return `<s-section data-testid="view-confirming">
<div class="loading-row"><s-spinner accessibilitylabel="Confirming" size="large-100"></s-spinner>
<div><s-heading>Checking your subscription…</s-heading>
<s-paragraph>If you approved the charge, Shopify is letting us know. This page updates by itself.</s-paragraph></div></div>
</s-section>`;
  }

  const USAGE_TILES = [
    ["heatmapProjects", "Heatmap projects", "heatmap-projects", "playbackProjects"],
    ["playbackProjects", "Playback projects", "playback-projects", "heatmapProjects"],
    ["heatmapVisits", "Heatmap visits", "heatmap-visits", "playbackVisits"],
    ["playbackVisits", "Playback visits", "playback-visits", "heatmapVisits"],
  ];

  function usageTiles(usage) {
    if (!usage) return `<s-paragraph>Usage figures are not available yet. They appear once MouseStats reports them.</s-paragraph>`;
    const tiles = USAGE_TILES.map(([key, label, id, partner]) => {
      const value = Number(usage[key]) || 0;
      const max = Math.max(value, Number(usage[partner]) || 0);
      const share = max > 0 ? Math.round((value / max) * 100) : 0;
      return `<div class="tile" data-testid="usage-${id}"><span class="tile-label">${label}</span>
<strong class="tile-value" data-testid="usage-${id}-value">${count(value)}</strong>
<span class="bar" aria-hidden="true"><span class="bar-fill" style="width:${share}%"></span></span></div>`;
    });
    return `<div class="tiles">${tiles.join("")}</div>`;
  }

  function checkedLine(account) {
    if (!account.usageCheckedAt) return "";
    const at = new Date(account.usageCheckedAt);
    const label = at.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    const stale = account.stale
      ? `<br><span class="stale" data-testid="usage-stale">MouseStats did not answer just now, so these figures may be out of date.</span>`
      : "";
    return `<p class="muted" data-testid="usage-checked-at">Figures from <time datetime="${esc(at.toISOString())}">${esc(label)}</time>.
Bars compare heatmap and playback figures.${stale}</p>`;
  }

  function active(account) {
    const days = account.planDaysLeft ?? "—";
    return `<s-section heading="Your plan" data-testid="view-active">
<dl class="facts">
<div><dt>Plan</dt><dd data-testid="plan-name">${esc(account.plan || "—")}</dd></div>
<div><dt>Days left</dt><dd data-testid="plan-days-left">${esc(days)}</dd></div>
<div class="wide"><dt>Account</dt><dd data-testid="account-email">${esc(account.email)}</dd></div>
</dl>
<div class="actions">${button("open", "Open heatmaps", "primary")}
<span class="muted">Opens MouseStats in a new tab, already signed in.</span></div>
<div id="login-fallback"></div>
</s-section>
<s-section heading="Usage">${usageTiles(account.usage)}${checkedLine(account)}</s-section>
<s-section heading="Tracking" data-testid="tracking-section"><div id="tracking" data-state="loading"></div></s-section>`;
  }

  function failed(account) {
    return `<s-banner tone="critical" heading="We could not create your heatmaps account" data-testid="view-failed">
<s-paragraph data-testid="failed-reason">${esc(account.error || "MouseStats refused the request.")}</s-paragraph>
<s-paragraph>Your subscription is safe. Try again, and contact support if this keeps happening.</s-paragraph>
<div class="actions">${button("retry", "Retry", "primary")}</div>
</s-banner>`;
  }

  function inactive() {
    return `<s-section heading="Your heatmaps subscription is not active" data-testid="view-inactive">
<s-paragraph>Your heatmaps and recordings are kept. Subscribe again to see new visits and open your dashboard.</s-paragraph>
<div class="actions">${button("subscribe", "Resubscribe", "primary")}</div>
</s-section>`;
  }

  function needsReview(account) {
    return `<s-section heading="Our support team will connect your heatmaps account" data-testid="view-needs-review">
<s-paragraph>A MouseStats account for <strong data-testid="account-email">${esc(account.email)}</strong> already exists, and we could not
confirm that it belongs to this store. To keep everyone's recordings private, support connects such an account by hand.</s-paragraph>
<s-paragraph>Your subscription is safe, and nothing else is needed from you. Once support has connected the account, this page shows your
plan and the Open heatmaps button.</s-paragraph>
</s-section>`;
  }

  function errorBanner(title, message, canReload) {
    return `<s-banner tone="critical" heading="${esc(title)}" data-testid="error-banner">
<s-paragraph>${esc(message)}</s-paragraph>${canReload ? `<div class="actions">${button("reload", "Try again", "secondary")}</div>` : ""}
</s-banner>`;
  }

  function loginFallback(url) {
    return `<s-paragraph>Your browser blocked the new tab.
<a href="${esc(url)}" target="_blank" rel="noopener noreferrer" data-testid="login-link">Open heatmaps in a new tab</a></s-paragraph>`;
  }

  return { BADGES, esc, byStatus: { none, pending, active, failed, inactive, needs_review: needsReview }, confirming, errorBanner, loginFallback };
})();

// The Tracking section: the site ID (an app-data metafield via /api/tracking, read by the
// storefront embed) and the theme-editor link that turns the embed on. app.js routes actions here.
"use strict";
window.HeatmapsTracking = (function tracking() {
  const V = window.HeatmapsViews;
  const state = { settings: null, loadError: null, fieldError: null, notice: null, draft: null };
  let ctx = null;

  const button = (action, label, variant) =>
    `<s-button variant="${variant}" data-action="${action}" data-testid="${action}-button">${V.esc(label)}</s-button>`;

  function status(siteId, withdrawnSiteId) {
    if (!siteId && withdrawnSiteId) {
      return `<p class="tracking-status" data-testid="tracking-status" data-set="false"><s-badge tone="warning">Switched off</s-badge>
<span data-testid="tracking-withdrawn">Tracking was switched off when your subscription ended. Save site <strong>${V.esc(withdrawnSiteId)}</strong> again to record visits.</span></p>`;
    }
    return siteId
      ? `<p class="tracking-status" data-testid="tracking-status" data-set="true"><s-badge tone="success">Site ID saved</s-badge>
<span>Visits are recorded for MouseStats site <strong data-testid="tracking-saved-id">${V.esc(siteId)}</strong> once the app embed is on.</span></p>`
      : `<p class="tracking-status" data-testid="tracking-status" data-set="false"><s-badge tone="warning">Not set up</s-badge>
<span>No site ID yet: your storefront records nothing.</span></p>`;
  }

  function view() {
    if (!state.settings) {
      return state.loadError
        ? `<s-paragraph data-testid="tracking-load-error">We could not load your tracking settings: ${V.esc(state.loadError)}</s-paragraph>
<div class="actions">${button("reload", "Try again", "secondary")}</div>`
        : `<div class="loading-row"><s-spinner accessibilitylabel="Loading" size="base"></s-spinner><s-text>Loading tracking settings…</s-text></div>`;
    }
    const { siteId, withdrawnSiteId } = state.settings;
    const value = state.draft ?? siteId ?? withdrawnSiteId ?? "";
    const error = state.fieldError;
    return `${status(siteId, withdrawnSiteId)}
<form class="tracking-form" data-testid="tracking-form" novalidate>
<label for="tracking-site-id">1. Your MouseStats site ID</label>
<div class="field-row"><input id="tracking-site-id" name="siteId" type="text" inputmode="numeric" autocomplete="off" spellcheck="false"
 placeholder="e.g. 5003504249777020952" value="${V.esc(value)}" aria-describedby="tracking-site-id-help${error ? " tracking-site-id-error" : ""}"${error ? ' aria-invalid="true"' : ""} data-testid="tracking-site-id">
${button("save-tracking", "Save", siteId ? "secondary" : "primary")}${siteId ? button("remove-tracking", "Remove", "tertiary") : ""}</div>
<p id="tracking-site-id-help" class="muted">In your MouseStats panel, the site ID is the number above the tracking code on the overview page.
Digits only; pasting the whole tracking code works too.</p>
${error ? `<p id="tracking-site-id-error" class="field-error" role="alert" data-testid="tracking-error">${V.esc(error)}</p>` : ""}
${state.notice ? `<p class="field-notice" role="status" data-testid="tracking-notice">${V.esc(state.notice)}</p>` : ""}
</form>
<div class="tracking-step"><strong>2. Turn on the MouseStats app embed in your theme</strong>
<span class="muted">Opens your theme editor in a new tab with the embed switched on: click <em>Save</em> there.
To stop tracking later, switch it off in the same place; uninstalling the app removes it.</span>
<div class="actions">${button("enable-tracking", "Enable tracking", siteId ? "primary" : "secondary")}</div>
<div id="tracking-link-fallback"></div></div>
<p class="muted" data-testid="tracking-consent"><strong>Who is recorded.</strong> The embed follows your store's cookie consent
(Settings → Customer privacy). Where visitors must consent, MouseStats loads only for visitors who allow analytics in your cookie
banner; visitors who decline or have not chosen are not recorded. Where no consent is required, every storefront visitor is recorded.
Checkout and the theme editor's preview are never recorded.</p>`;
  }

  function paint() {
    if (!ctx || !ctx.el.isConnected) return;
    ctx.el.innerHTML = view();
    ctx.el.dataset.state = state.settings ? (state.settings.siteId ? "set" : "unset") : state.loadError ? "error" : "loading";
    ctx.decorate(ctx.el);
    const form = ctx.el.querySelector("form");
    if (!form) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      form.querySelector('[data-action="save-tracking"]')?.click();
    });
    form.elements.siteId.addEventListener("input", (event) => { state.draft = event.target.value; });
  }

  /** Renders into `el` (what it knew before, at once) and loads the current settings. */
  async function mount(el, api, decorate) {
    if (!el) return;
    ctx = { el, api, decorate };
    paint();
    try {
      state.settings = await api("GET", "/api/tracking");
      state.loadError = null;
    } catch (err) {
      state.loadError = err.message;
    }
    if (ctx.el === el) paint();
  }

  async function save() {
    const input = ctx.el.querySelector("#tracking-site-id");
    const siteId = input ? input.value : "";
    Object.assign(state, { fieldError: null, notice: null, draft: siteId });
    try {
      state.settings = await ctx.api("PUT", "/api/tracking", { siteId });
      Object.assign(state, { draft: null, notice: "Saved. Now turn on the app embed (step 2) if it is not on yet." });
    } catch (err) {
      // A refused ID is the merchant's to fix, next to the field; anything else goes to the banner.
      if (err.status !== 400) throw err;
      state.fieldError = err.message;
    } finally {
      paint();
    }
    ctx.el.querySelector(state.fieldError ? "#tracking-site-id" : '[data-action="enable-tracking"]')?.focus();
  }

  async function remove() {
    Object.assign(state, { fieldError: null, draft: null, notice: null });
    state.settings = await ctx.api("DELETE", "/api/tracking");
    state.notice = "Removed: your storefront no longer loads MouseStats.";
    paint();
  }

  function enable() {
    const url = state.settings?.embedUrl;
    if (!url) throw new Error("Tracking settings are not loaded yet.");
    // The theme editor cannot be framed: a new tab, opened inside the click so it is not blocked.
    const tab = window.open(url, "_blank");
    if (tab) tab.opener = null;
    else ctx.el.querySelector("#tracking-link-fallback").innerHTML = `<s-paragraph>Your browser blocked the new tab.
<a href="${V.esc(url)}" target="_blank" rel="noopener noreferrer" data-testid="tracking-embed-link">Open the theme editor</a></s-paragraph>`;
  }

  return { mount, save, remove, enable };
})();

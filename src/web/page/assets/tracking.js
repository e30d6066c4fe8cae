// @ts-check
// The Tracking section: the site ID (an app-data metafield via /api/tracking, read by the
// storefront embed), validated as the merchant types, removed only after a confirmation.
// app.js routes the buttons' actions here and hears of every change (the checklist follows).
"use strict";
const Tracking = (function tracking() {
  const { t } = I18n;
  const { esc, button } = Views;

  /**
   * @typedef {{ code: string, params?: Record<string, number> }} FieldError
   * @typedef {{ settings: TrackingSettings | null, loadError: string | null, fieldError: FieldError | null,
   *   notice: string | null, draft: string | null, confirmingRemove: boolean }} TrackingState
   */
  /** @type {TrackingState} */
  const state = { settings: null, loadError: null, fieldError: null, notice: null, draft: null, confirmingRemove: false };
  /** @type {{ el: HTMLElement, api: ApiCall, decorate: (scope: Element) => void, onChange: () => void } | null} */
  let ctx = null;

  /**
   * The server's rule (src/tracking/site-id.ts, parseSiteId), so an error clears the moment the
   * input is valid; the server still checks what is saved. A pasted tracking code yields its ID.
   * @param {string} input
   * @returns {{ ok: true, siteId: string } | { ok: false, code: string, params?: Record<string, number> }}
   */
  function checkSiteId(input) {
    const text = input.trim();
    if (text === "") return { ok: false, code: "site_id_missing" };
    const id = /mousestats\.com\/js\/\d\/\d\/(\d+)\.js/i.exec(text)?.[1] ?? text;
    if (!/^[0-9]+$/.test(id)) return { ok: false, code: "site_id_digits" };
    if (id.length < 4 || id.length > 20) return { ok: false, code: "site_id_length", params: { min: 4, max: 20, length: id.length } };
    if (id.startsWith("0")) return { ok: false, code: "site_id_leading_zero" };
    return { ok: true, siteId: id };
  }

  /** @param {FieldError} error */
  const errorText = (error) => t(`errors.${error.code}`, error.params);

  /** @param {TrackingSettings} settings */
  function status({ siteId, withdrawnSiteId }) {
    const id = (/** @type {string} */ value, testid = "") => `<strong${testid ? ` data-testid="${testid}"` : ""}>${esc(value)}</strong>`;
    if (!siteId && withdrawnSiteId) {
      return `<p class="tracking-status" data-testid="tracking-status" data-set="false"><s-badge tone="warning">${esc(t("tracking.off"))}</s-badge>
<span data-testid="tracking-withdrawn">${Views.tMarkup("tracking.withdrawn", { id: id(withdrawnSiteId) })}</span></p>`;
    }
    return siteId
      ? `<p class="tracking-status" data-testid="tracking-status" data-set="true"><s-badge tone="success">${esc(t("tracking.set"))}</s-badge>
<span>${Views.tMarkup("tracking.setBody", { id: id(siteId, "tracking-saved-id") })}</span></p>`
      : `<p class="tracking-status" data-testid="tracking-status" data-set="false"><s-badge tone="warning">${esc(t("tracking.unset"))}</s-badge>
<span>${esc(t("tracking.unsetBody"))}</span></p>`;
  }

  /** The section's markup for a state (pure: the i18n test renders every state in every language). @param {TrackingState} s */
  function render(s) {
    if (!s.settings) {
      return s.loadError
        ? `<s-paragraph data-testid="tracking-load-error">${esc(t("tracking.loadError", { error: s.loadError }))}</s-paragraph>
<div class="actions">${button("reload", t("error.tryAgain"), "secondary")}</div>`
        : `<div class="loading-row"><s-spinner accessibilitylabel="${esc(t("tracking.loading"))}" size="base"></s-spinner><s-text>${esc(t("tracking.loading"))}</s-text></div>`;
    }
    const { siteId, withdrawnSiteId } = s.settings;
    const value = s.draft ?? siteId ?? withdrawnSiteId ?? "";
    const error = s.fieldError ? ` error="${esc(errorText(s.fieldError))}"` : "";
    const confirm = s.confirmingRemove && siteId
      ? `<s-banner tone="warning" data-testid="tracking-confirm-remove"><s-paragraph>${esc(t("tracking.confirmRemove", { id: siteId }))}</s-paragraph>
<div class="actions">${button("confirm-remove", t("tracking.confirmYes"), "primary", ' tone="critical"')}${button("cancel-remove", t("tracking.cancel"), "secondary")}</div></s-banner>`
      : "";
    return `${status(s.settings)}
<form class="tracking-form" data-testid="tracking-form" novalidate>
<s-stack direction="inline" gap="base" alignitems="end">
<s-text-field id="tracking-site-id" name="siteId" label="${esc(t("tracking.label"))}" placeholder="${esc(t("tracking.placeholder"))}"
 value="${esc(value)}" autocomplete="off" data-testid="tracking-site-id-field"${error}></s-text-field>
${button("save-tracking", t("tracking.save"), siteId ? "secondary" : "primary")}${siteId ? button("remove-tracking", t("tracking.remove"), "tertiary") : ""}
</s-stack>
<s-paragraph class="muted" id="tracking-site-id-help">${esc(t("tracking.help"))}</s-paragraph>
${s.notice ? `<p class="field-notice" role="status" data-testid="tracking-notice">${esc(s.notice)}</p>` : ""}
</form>${confirm}
<s-paragraph class="muted consent" data-testid="tracking-consent"><s-text type="strong">${esc(t("tracking.consentTitle"))}</s-text> ${esc(t("tracking.consent"))}</s-paragraph>`;
  }

  /** The field's value, from Polaris' element or, without polaris.js, from the input decorate() put inside it. */
  function field() {
    const host = /** @type {HTMLElementTagNameMap["s-text-field"] | null} */ (ctx?.el.querySelector("s-text-field") ?? null);
    const input = host?.querySelector("input");
    return { host, value: () => (input ? input.value : host?.value ?? "") };
  }

  /** Shows or clears the field's error without redrawing (the merchant keeps typing). @param {FieldError | null} error */
  function showFieldError(error) {
    state.fieldError = error;
    const { host } = field();
    if (!host) return;
    if (error) host.setAttribute("error", errorText(error));
    else host.removeAttribute("error");
    ctx?.decorate(host);
  }

  function paint() {
    if (!ctx || !ctx.el.isConnected) return;
    ctx.el.innerHTML = render(state);
    ctx.el.dataset.state = state.settings ? (state.settings.siteId ? "set" : "unset") : state.loadError ? "error" : "loading";
    ctx.decorate(ctx.el);
    const { host, value } = field();
    host?.addEventListener("input", () => {
      state.draft = value();
      if (state.fieldError && checkSiteId(state.draft).ok) showFieldError(null);
    });
    host?.addEventListener("keydown", (event) => {
      if (/** @type {KeyboardEvent} */ (event).key !== "Enter") return;
      event.preventDefault();
      ctx?.el.querySelector('[data-action="save-tracking"]')?.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    });
    ctx.el.querySelector("form")?.addEventListener("submit", (event) => event.preventDefault());
    ctx.onChange();
  }

  /**
   * Renders into `el` (what it knew before, at once) and loads the current settings.
   * @param {HTMLElement | null} el @param {ApiCall} api @param {(scope: Element) => void} decorate @param {() => void} onChange
   */
  async function mount(el, api, decorate, onChange) {
    if (!el) return;
    ctx = { el, api, decorate, onChange };
    paint();
    await load();
  }

  async function load() {
    if (!ctx) return;
    const { el } = ctx;
    try {
      state.settings = await ctx.api("GET", "/api/tracking");
      // What was said after the last save or removal belongs to that moment, not to a reload.
      Object.assign(state, { loadError: null, notice: null });
    } catch (err) {
      state.loadError = /** @type {Error} */ (err).message;
    }
    if (ctx.el === el) paint();
  }

  async function save() {
    if (!ctx) return;
    const siteId = field().value();
    Object.assign(state, { notice: null, draft: siteId, confirmingRemove: false });
    const checked = checkSiteId(siteId);
    if (!checked.ok) {
      showFieldError(checked);
      field().host?.focus();
      return;
    }
    try {
      state.settings = await ctx.api("PUT", "/api/tracking", { siteId });
      Object.assign(state, { draft: null, fieldError: null, notice: t("tracking.saved") });
    } catch (err) {
      // A refused ID is the merchant's to fix, next to the field; anything else goes to the banner.
      const e = /** @type {ApiError & { code?: string, params?: Record<string, number> }} */ (err);
      if (e.status !== 400 || !e.code?.startsWith("site_id")) throw err;
      state.fieldError = { code: e.code, params: e.params };
    } finally {
      paint();
    }
    const next = state.fieldError ? field().host : ctx.el.ownerDocument.querySelector('[data-action="enable-tracking"]');
    /** @type {HTMLElement | null} */ (next)?.focus();
  }

  function askRemove() {
    Object.assign(state, { confirmingRemove: true, notice: null });
    paint();
    ctx?.el.querySelector('[data-action="confirm-remove"]')?.scrollIntoView({ block: "nearest" });
  }

  function cancelRemove() {
    state.confirmingRemove = false;
    paint();
  }

  async function remove() {
    if (!ctx) return;
    Object.assign(state, { fieldError: null, draft: null, notice: null, confirmingRemove: false });
    state.settings = await ctx.api("DELETE", "/api/tracking");
    state.notice = t("tracking.removed");
    paint();
  }

  /** The progress the server keeps, after App Bridge said what the embed is. @param {TrackingProgress} progress */
  function setProgress(progress) {
    if (state.settings) state.settings.progress = progress;
  }

  const focusField = () => {
    const { host } = field();
    host?.scrollIntoView({ block: "center" });
    (host?.querySelector("input") ?? host)?.focus();
  };

  return { checkSiteId, render, mount, load, save, askRemove, cancelRemove, remove, setProgress, focusField, settings: () => state.settings };
})();

// @ts-check
// The embedded page's controller: gets session tokens from App Bridge (in sandbox mode, from the
// sandbox's stand-in for it), calls the app's API, renders the view for the account's state and
// the setup checklist, and runs the buttons.
"use strict";
(function main() {
  const POLL_MS = 1500;
  const CONFIRM_WAIT_MS = 20000;
  const DECLINE_SHOWN_MS = 24 * 3600_000;
  const { t } = I18n;
  const root = /** @type {HTMLElement} */ (document.getElementById("app"));
  const bannerArea = /** @type {HTMLElement} */ (document.getElementById("banner"));
  const badgeEl = /** @type {HTMLElement} */ (document.getElementById("status-badge"));
  const announcer = /** @type {HTMLElement} */ (document.getElementById("announcer"));
  const problem = document.querySelector('meta[name="page-problem"]')?.getAttribute("content");
  // Shopify appends charge_id when it sends the merchant back after approving the charge; the
  // first account request passes it on, and the app asks Shopify at once.
  let chargeId = new URLSearchParams(window.location.search).get("charge_id");
  const returnedFromBilling = chargeId !== null;
  const startedAt = Date.now();
  let polaris = Boolean(window.customElements?.get("s-button"));
  /** @type {Account | null} */
  let account = null;
  /** @type {BillingInfo | null | "error"} */
  let billing = null;
  /** @type {EmbedState} */
  let embed = "checking";
  let expanded = false;
  let subscribedNow = false;
  let pollTimer = 0;

  /** @param {number} status @param {string} message @param {object} [extra] @returns {ApiError} */
  const failure = (status, message, extra = {}) => Object.assign(new Error(message), { status }, extra);

  /** @param {Response} res @param {any} body */
  function errorMessage(res, body) {
    if (res.status === 401) return t("errors.session");
    if (res.status === 429) return t("errors.rate_limited", { seconds: Number(res.headers.get("retry-after")) || 60 });
    const code = typeof body?.code === "string" ? body.code : "";
    if (code && I18n.has(`errors.${code}`)) return t(`errors.${code}`, { ...body.params, detail: body.error });
    return body?.error || t("errors.http", { status: res.status });
  }

  /** @type {ApiCall} */
  const api = (method, path, json) => request(method, path, json, false);

  /**
   * Calls our API with a bearer session token from App Bridge (and a JSON body, if any); one
   * retry after a 401, with the fresh token App Bridge then gives.
   * @param {string} method @param {string} path @param {unknown} json @param {boolean} retried @returns {Promise<any>}
   */
  async function request(method, path, json, retried) {
    let res;
    try {
      const token = await window.shopify.idToken();
      /** @type {Record<string, string>} */
      const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
      if (json !== undefined) headers["Content-Type"] = "application/json";
      res = await fetch(path, { method, cache: "no-store", headers, body: json === undefined ? undefined : JSON.stringify(json) });
    } catch {
      throw failure(0, t("errors.network"));
    }
    if (res.status === 401 && !retried) return request(method, path, json, true);
    const body = await res.json().catch(() => null);
    if (!res.ok) throw failure(res.status, errorMessage(res, body), { code: body?.code, params: body?.params });
    return body;
  }

  /** Without polaris.js, fallback.js gives the s-* elements their semantics (and the text field its input). @param {Element} scope */
  const decorate = (scope) => {
    if (!polaris) window.HeatmapsFallback?.decorate(scope);
  };

  /** @param {string | null} title @param {string} [message] @param {boolean} [canReload] */
  function showBanner(title, message = "", canReload = false) {
    bannerArea.innerHTML = title ? Views.errorBanner(title, message, canReload) : "";
    decorate(bannerArea);
  }

  /** @param {string} state */
  function setBadge(state) {
    const [tone, label] = Views.badge(state);
    if (badgeEl.textContent !== label) announcer.textContent = t("announce.status", { status: label });
    badgeEl.setAttribute("tone", tone);
    badgeEl.textContent = label;
  }

  /** @param {string} state @param {string} html */
  function show(state, html) {
    setBadge(state === "problem" ? "error" : state);
    root.dataset.state = state;
    root.setAttribute("aria-busy", "false");
    // An error view carries the help link itself, next to what went wrong.
    root.innerHTML = state === "problem" ? html : `${html}${Views.help()}`;
    decorate(root);
  }

  /** A problem that leaves nothing else to show: a finished view, never a spinner. @param {string} title @param {string} message @param {boolean} canReload */
  function showProblem(title, message, canReload) {
    window.clearTimeout(pollTimer);
    show("problem", Views.errorView(title, message, canReload));
  }

  function renderChecklist() {
    const el = document.getElementById("checklist");
    if (!el || !account) return;
    el.innerHTML = Checklist.render({ account, billing, tracking: Tracking.settings(), embed, expanded });
    decorate(el);
  }

  /** Asks App Bridge about the app embed and tells the server, which keeps when it was first seen on. */
  async function checkEmbed() {
    embed = await Checklist.embedStatus();
    if (embed !== "unknown" && Tracking.settings()) {
      try {
        Tracking.setProgress((await api("PUT", "/api/tracking/embed", { status: embed })).progress);
      } catch { /* the checklist still shows the embed's status; visits wait for the next check */ }
    }
    renderChecklist();
  }

  /** @param {Account} next @param {boolean} firstTime */
  async function renderActive(next, firstTime) {
    show("active", `${subscribedNow ? Views.subscribedBanner(next.offer) : ""}${Views.byStatus.active(next)}`);
    embed = "checking";
    renderChecklist();
    if (firstTime || billing === "error") api("GET", "/api/billing").then((b) => { billing = b; }, () => { billing = "error"; }).then(renderChecklist);
    await Tracking.mount(document.getElementById("tracking"), api, decorate, renderChecklist);
    await checkEmbed();
  }

  /** @param {Account} next */
  function render(next) {
    const confirming = next.status === "none" && returnedFromBilling && Date.now() - startedAt < CONFIRM_WAIT_MS;
    if (returnedFromBilling && (next.status === "pending" || next.status === "active")) subscribedNow = true;
    window.clearTimeout(pollTimer);
    const wasActive = account?.status === "active";
    account = next;
    if (next.status === "active" && !confirming) {
      renderActive(next, !wasActive);
    } else {
      const subscribed = subscribedNow && next.status === "pending" ? Views.subscribedBanner(next.offer) : "";
      show(confirming ? "confirming" : next.status, confirming ? Views.confirming() : `${subscribed}${(Views.byStatus[next.status] || Views.byStatus.none)(next)}`);
      if (next.status === "none" && !confirming) showDecline();
    }
    if (next.status === "pending" || confirming) pollTimer = window.setTimeout(refresh, POLL_MS);
  }

  /** Back from the confirmation page without subscribing: say nothing was charged. */
  async function showDecline() {
    try {
      /** @type {BillingInfo} */
      const info = await api("GET", "/api/billing");
      const sub = info.subscription;
      const recent = sub?.createdAt && Date.now() - new Date(sub.createdAt).getTime() < DECLINE_SHOWN_MS;
      const view = document.querySelector('[data-testid="view-none"]');
      if (sub?.status === "DECLINED" && recent && view && !document.querySelector('[data-testid="declined-banner"]')) {
        view.insertAdjacentHTML("beforebegin", Views.declinedBanner());
        decorate(root);
      }
    } catch { /* only a courtesy: the Subscribe view is complete without it */ }
  }

  async function refresh() {
    try {
      const next = await api("GET", chargeId ? `/api/account?charge_id=${encodeURIComponent(chargeId)}` : "/api/account");
      if (chargeId) {
        // Consumed: a reload is not another return from the confirmation page.
        const url = new URL(window.location.href);
        url.searchParams.delete("charge_id");
        window.history.replaceState(null, "", url);
        chargeId = null;
      }
      showBanner(null);
      render(next);
    } catch (err) {
      const message = /** @type {Error} */ (err).message;
      if (!account) showProblem(t("error.load"), message, true);
      else showBanner(t("error.load"), message, true);
      // Keep watching a state that is expected to change; otherwise wait for "Try again".
      window.clearTimeout(pollTimer);
      if (account?.status === "pending") pollTimer = window.setTimeout(refresh, POLL_MS * 3);
    }
  }

  /** @param {Element} el @param {boolean} busy */
  function setBusy(el, busy) {
    el.toggleAttribute("disabled", busy);
    el.toggleAttribute("loading", busy);
    decorate(el);
  }

  async function subscribe() {
    const { confirmationUrl } = await api("POST", "/api/billing/subscribe");
    // Shopify's approval page cannot be framed: leave the admin iframe for it.
    window.open(confirmationUrl, "_top");
    return "navigating";
  }

  async function retry() {
    await api("POST", "/api/provisioning/retry");
    if (account) render({ ...account, status: "pending", error: null });
  }

  async function openHeatmaps() {
    // Open the tab now, inside the click, so popup blockers allow it; point it at MouseStats
    // once the login link arrives.
    const tab = window.open("", "_blank");
    if (tab) {
      tab.opener = null;
      try { tab.document.title = t("open.tab"); tab.document.body.textContent = t("open.tab"); } catch { /* not ours to write */ }
    }
    try {
      const { url } = await api("POST", "/api/login-link");
      if (tab && !tab.closed) tab.location.replace(url);
      else fallbackLink("login-fallback", Views.loginFallback(url));
    } catch (err) {
      tab?.close();
      throw err;
    }
  }

  /** @param {string} id @param {string} html */
  function fallbackLink(id, html) {
    const el = document.getElementById(id);
    if (!el) return;
    el.innerHTML = html;
    decorate(el);
  }

  function enableTracking() {
    const url = Tracking.settings()?.embedUrl;
    if (!url) throw new Error(t("tracking.loading"));
    // The theme editor cannot be framed: a new tab, opened inside the click so it is not blocked.
    const tab = window.open(url, "_blank");
    if (tab) tab.opener = null;
    else fallbackLink("tracking-link-fallback", `<s-paragraph>${Views.esc(t("open.blocked"))} ${Views.link(url, t("tracking.editorLink"), "tracking-embed-link")}</s-paragraph>`);
  }

  /** @type {Record<string, [() => unknown, string | null]>} */
  const ACTIONS = {
    subscribe: [subscribe, "error.subscribe"],
    retry: [retry, "error.retry"],
    open: [openHeatmaps, "error.open"],
    "save-tracking": [() => Tracking.save(), "error.save"],
    "remove-tracking": [() => Tracking.askRemove(), null],
    "cancel-remove": [() => Tracking.cancelRemove(), null],
    "confirm-remove": [() => Tracking.remove(), "error.remove"],
    "enable-tracking": [enableTracking, "error.editor"],
    "focus-site-id": [() => Tracking.focusField(), null],
    "check-again": [refresh, null],
    "show-checklist": [() => { expanded = true; renderChecklist(); }, null],
    reload: [refresh, null],
  };

  /** @param {HTMLElement} el */
  async function runAction(el) {
    const [action, title] = ACTIONS[el.dataset.action ?? ""] || [];
    if (!action || el.hasAttribute("disabled")) return;
    setBusy(el, true);
    let outcome;
    try {
      outcome = await action();
      if (title) showBanner(null);
    } catch (err) {
      // 409: the account is not in the state this button assumed; show the state it is in.
      if (/** @type {ApiError} */ (err).status === 409) await refresh();
      if (title) showBanner(t(title), /** @type {Error} */ (err).message, false);
    }
    // While the top window leaves for the approval page, the button stays disabled.
    if (outcome !== "navigating" && el.isConnected) setBusy(el, false);
  }

  document.addEventListener("click", (event) => {
    const el = /** @type {Element} */ (event.target).closest?.("[data-action]");
    if (el) runAction(/** @type {HTMLElement} */ (el));
  });
  document.addEventListener("keydown", (event) => {
    const el = /** @type {Element} */ (event.target).closest?.('s-button[role="button"]');
    if (!el || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    runAction(/** @type {HTMLElement} */ (el));
  });
  // Back from the theme editor's tab: the checklist checks the embed again by itself.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && account?.status === "active") checkEmbed();
  });
  window.customElements?.whenDefined("s-button").then(() => {
    polaris = true;
    for (const el of document.querySelectorAll("s-button[role]")) ["role", "tabindex", "aria-disabled"].forEach((a) => el.removeAttribute(a));
  });

  /**
   * Without polaris.js (offline sandbox, tests), fallback.css and fallback.js make the same markup
   * read and behave like Polaris; merchants in the admin never download them. The views wait for them.
   */
  function loadFallback() {
    const link = document.querySelector("link[data-fallback-css]");
    if (polaris || !link) return Promise.resolve();
    /** @param {HTMLLinkElement | HTMLScriptElement} el */
    const loaded = (el) => new Promise((resolve) => {
      el.onload = el.onerror = resolve;
      document.head.append(el);
    });
    return Promise.all([
      loaded(Object.assign(document.createElement("link"), { rel: "stylesheet", href: link.getAttribute("data-fallback-css") })),
      loaded(Object.assign(document.createElement("script"), { src: link.getAttribute("data-fallback-js") })),
    ]);
  }

  loadFallback().then(() => {
    decorate(document.body);
    if (problem === "invalid_shop") showProblem(t("error.badShop.heading"), t("error.badShop.body"), false);
    else if (typeof window.shopify?.idToken !== "function") showProblem(t("error.noAdmin.heading"), t("error.noAdmin.body"), false);
    else refresh();
  });
})();

// The embedded page's controller: gets a session token (App Bridge, or the sandbox's stand-in),
// calls the app's API, renders the view for the account's state (views.js) and runs the buttons.
"use strict";
(function main() {
  const POLL_MS = 1500;
  const CONFIRM_WAIT_MS = 20000;
  const SANDBOX_TOKEN_MAX_AGE_MS = 40000;
  const V = window.HeatmapsViews;
  const T = window.HeatmapsTracking;
  const root = document.getElementById("app");
  const bannerArea = document.getElementById("banner");
  const badge = document.getElementById("status-badge");
  const announcer = document.getElementById("announcer");
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") || null;
  const sandboxShop = meta("sandbox-shop");
  const sandbox = { token: meta("sandbox-session-token"), at: Date.now() };
  // Shopify appends charge_id when it sends the merchant back after approving the charge; the
  // first account request passes it on, and the app asks Shopify at once.
  let chargeId = new URLSearchParams(window.location.search).get("charge_id");
  const returnedFromBilling = chargeId !== null;
  const startedAt = Date.now();
  let polaris = Boolean(window.customElements?.get("s-button"));
  let account = null;
  let pollTimer = 0;

  function failure(status, message) {
    return Object.assign(new Error(message), { status });
  }

  async function sessionToken(fresh) {
    if (typeof window.shopify?.idToken === "function") return window.shopify.idToken();
    if (!sandboxShop) throw failure(401, "Open this app from your Shopify admin to sign in.");
    if (fresh || !sandbox.token || Date.now() - sandbox.at > SANDBOX_TOKEN_MAX_AGE_MS) {
      const res = await fetch(`/assets/sandbox-token?shop=${encodeURIComponent(sandboxShop)}`, { cache: "no-store" });
      if (!res.ok) throw failure(res.status, "The sandbox could not issue a session token.");
      Object.assign(sandbox, { token: (await res.json()).token, at: Date.now() });
    }
    return sandbox.token;
  }

  function errorMessage(res, body) {
    if (res.status === 401) return "Your session has expired. Reload the page to sign in again.";
    if (res.status === 429) {
      const wait = Number(res.headers.get("retry-after")) || 60;
      return `Too many sign-ins in a short time. Try again in ${wait} seconds.`;
    }
    return (body && body.error) || `Something went wrong (HTTP ${res.status}). Try again in a moment.`;
  }

  /** Calls our API with a bearer session token (and a JSON body, if any); one retry with a fresh token after a 401. */
  async function api(method, path, json, retried) {
    let res;
    try {
      const token = await sessionToken(retried);
      const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
      if (json !== undefined) headers["Content-Type"] = "application/json";
      res = await fetch(path, { method, cache: "no-store", headers, body: json === undefined ? undefined : JSON.stringify(json) });
    } catch (err) {
      throw err.status ? err : failure(0, "We could not reach the app. Check your connection and try again.");
    }
    if (res.status === 401 && !retried) return api(method, path, json, true);
    const body = await res.json().catch(() => null);
    if (!res.ok) throw failure(res.status, errorMessage(res, body));
    return body;
  }

  function decorate(scope) {
    if (polaris) return;
    // Without polaris.js: give the custom elements the semantics the components would have.
    for (const el of scope.querySelectorAll("s-section[heading], s-banner[heading]")) {
      if (el.firstElementChild?.classList.contains("fallback-heading")) continue;
      const heading = document.createElement(el.localName === "s-section" ? "h2" : "h3");
      heading.className = "fallback-heading";
      heading.textContent = el.getAttribute("heading");
      el.prepend(heading);
    }
    for (const el of scope.querySelectorAll("s-heading")) {
      el.setAttribute("role", "heading");
      el.setAttribute("aria-level", "3");
    }
    for (const el of scope.querySelectorAll("s-banner")) el.setAttribute("role", el.getAttribute("tone") === "critical" ? "alert" : "status");
    for (const el of scope.querySelectorAll("s-button")) decorateButton(el);
  }

  function decorateButton(el) {
    if (polaris) return;
    el.setAttribute("role", "button");
    el.tabIndex = el.hasAttribute("disabled") ? -1 : 0;
    el.setAttribute("aria-disabled", String(el.hasAttribute("disabled")));
  }

  function showBanner(title, message, canReload) {
    bannerArea.innerHTML = title ? V.errorBanner(title, message, canReload) : "";
    decorate(bannerArea);
  }

  function render(next) {
    const changed = !account || account.status !== next.status;
    account = next;
    const confirming = next.status === "none" && returnedFromBilling && Date.now() - startedAt < CONFIRM_WAIT_MS;
    const [tone, label] = confirming ? ["info", "Checking"] : V.BADGES[next.status] || ["neutral", next.status];
    badge.setAttribute("tone", tone);
    badge.textContent = label;
    root.dataset.state = confirming ? "confirming" : next.status;
    root.setAttribute("aria-busy", "false");
    root.innerHTML = confirming ? V.confirming() : (V.byStatus[next.status] || V.byStatus.none)(next);
    decorate(root);
    if (next.status === "active" && !confirming) T.mount(document.getElementById("tracking"), api, decorate);
    if (changed) announcer.textContent = `Heatmaps account: ${label}`;
    window.clearTimeout(pollTimer);
    if (next.status === "pending" || confirming) pollTimer = window.setTimeout(refresh, POLL_MS);
  }

  async function refresh() {
    try {
      const next = await api("GET", chargeId ? `/api/account?charge_id=${encodeURIComponent(chargeId)}` : "/api/account");
      chargeId = null;
      render(next);
      showBanner(null);
    } catch (err) {
      showBanner("We could not load your heatmaps account", err.message, true);
      // Keep watching a state that is expected to change; otherwise wait for "Try again".
      window.clearTimeout(pollTimer);
      if (!account || account.status === "pending") pollTimer = window.setTimeout(refresh, POLL_MS * 3);
    }
  }

  function setBusy(el, busy) {
    if (busy) el.setAttribute("disabled", "");
    else el.removeAttribute("disabled");
    el.toggleAttribute("loading", busy);
    decorateButton(el);
  }

  async function subscribe() {
    const { confirmationUrl } = await api("POST", "/api/billing/subscribe");
    // Shopify's approval page cannot be framed: leave the admin iframe for it.
    window.open(confirmationUrl, "_top");
    return "navigating";
  }

  async function retry() {
    await api("POST", "/api/provisioning/retry");
    render({ ...account, status: "pending", error: null });
  }

  async function openHeatmaps() {
    // Open the tab now, inside the click, so popup blockers allow it; point it at MouseStats
    // once the login link arrives.
    const tab = window.open("", "_blank");
    if (tab) {
      tab.opener = null;
      try { tab.document.title = "Opening heatmaps…"; tab.document.body.textContent = "Opening your heatmaps…"; } catch { /* not ours to write */ }
    }
    try {
      const { url } = await api("POST", "/api/login-link");
      if (tab && !tab.closed) tab.location.replace(url);
      else document.getElementById("login-fallback").innerHTML = V.loginFallback(url);
    } catch (err) {
      tab?.close();
      throw err;
    }
  }

  const ACTIONS = {
    subscribe: [subscribe, "We could not start the subscription"],
    retry: [retry, "We could not retry"],
    open: [openHeatmaps, "We could not open your heatmaps"],
    "save-tracking": [() => T.save(), "We could not save your site ID"],
    "enable-tracking": [() => T.enable(), "We could not open the theme editor"],
    "remove-tracking": [() => T.remove(), "We could not remove your site ID"],
    reload: [refresh, null],
  };

  async function runAction(el) {
    const [action, title] = ACTIONS[el.dataset.action] || [];
    if (!action || el.hasAttribute("disabled")) return;
    setBusy(el, true);
    let outcome;
    try {
      outcome = await action();
      if (title) showBanner(null);
    } catch (err) {
      // 409: the account is not in the state this button assumed; show the state it is in.
      if (err.status === 409) await refresh();
      showBanner(title, err.message, false);
    }
    // While the top window leaves for the approval page, the button stays disabled.
    if (outcome !== "navigating") setBusy(el, false);
  }

  document.addEventListener("click", (event) => {
    const el = event.target.closest?.("[data-action]");
    if (el) runAction(el);
  });
  document.addEventListener("keydown", (event) => {
    const el = event.target.closest?.('s-button[role="button"]');
    if (!el || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    runAction(el);
  });
  window.customElements?.whenDefined("s-button").then(() => {
    polaris = true;
    for (const el of document.querySelectorAll("s-button[role]")) ["role", "tabindex", "aria-disabled"].forEach((a) => el.removeAttribute(a));
  });

  refresh();
})();

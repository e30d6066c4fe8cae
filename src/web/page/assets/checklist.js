// @ts-check
// The setup checklist of an active account: subscribed, account ready, site ID saved, app embed
// on (asked of App Bridge), first visits recorded. Each step is done, to do or a problem, with
// its action; once all are done the list folds into one "Tracking is working" line.
"use strict";
const Checklist = (function checklist() {
  const { t } = I18n;
  const { esc, button } = Views;
  /** The theme app extension and its embed block (extensions/mousestats-tracking, blocks/mousestats-tracking.liquid). */
  const EXTENSION_HANDLE = "mousestats-tracking";
  const EMBED_HANDLE = "mousestats-tracking";

  /**
   * The app embed's status in the published theme, from App Bridge's `shopify.app.extensions()`
   * (App Home "App API": theme app extensions report each block/embed's `status`,
   * `active` | `available` | `unavailable`, for the published theme only;
   * https://shopify.dev/docs/api/app-home/apis/authentication-and-data/app-api). `unknown` when
   * App Bridge, or that API, is absent or fails (an older admin, the page outside the admin).
   * @returns {Promise<EmbedState>}
   */
  async function embedStatus() {
    const app = window.shopify?.app;
    if (typeof app?.extensions !== "function") return "unknown";
    try {
      const extension = (await app.extensions()).find((e) => e.type === "theme_app_extension" && e.handle === EXTENSION_HANDLE);
      // Theme app extensions' activations are the blocks and embeds (ThemeExtensionActivation).
      const embeds = /** @type {Array<{ handle: string, status?: string }>} */ (/** @type {unknown} */ (extension?.activations ?? []));
      const status = embeds.find((a) => a.handle === EMBED_HANDLE)?.status;
      return status === "active" || status === "available" || status === "unavailable" ? status : "unknown";
    } catch {
      return "unknown";
    }
  }

  /**
   * @typedef {{ account: Account, billing: BillingInfo | null | "error", tracking: TrackingSettings | null,
   *   embed: EmbedState, expanded: boolean }} ChecklistInput
   * @typedef {{ id: string, status: "done" | "todo" | "problem" | "checking", title: string, detail: string, actions: string }} Step
   */

  /** @param {ChecklistInput} input @returns {Step[]} */
  function steps({ account, billing, tracking, embed }) {
    const progress = tracking?.progress;
    const siteId = tracking?.siteId ?? null;
    const sub = billing && billing !== "error" ? billing.subscription : null;
    let subDetail = t(billing === "error" ? "step.subscribed.unknown" : "step.subscribed.none");
    if (sub) {
      const status = `${I18n.has(`subStatus.${sub.status}`) ? t(`subStatus.${sub.status}`) : sub.status.toLowerCase()}${sub.test ? ` (${t("subStatus.test")})` : ""}`;
      const trial = sub.trialEndsAt && new Date(sub.trialEndsAt).getTime() > Date.now();
      const when = trial ? t("step.subscribed.trial", { date: I18n.date(/** @type {string} */ (sub.trialEndsAt)) })
        : sub.currentPeriodEnd ? t("step.subscribed.next", { date: I18n.date(sub.currentPeriodEnd) }) : "";
      subDetail = [t("step.subscribed.detail", { plan: sub.name, price: I18n.price(account.offer), status }), when].filter(Boolean).join(". ");
    }
    const check = button("check-again", t("checklist.checkAgain"), "tertiary");
    const enable = button("enable-tracking", t("step.embed.action"), "primary", siteId ? "" : " disabled");

    /** @type {Step} */
    let embedStep;
    const visitsSeen = (progress?.visits ?? 0) > 0;
    if (!tracking || embed === "checking") embedStep = { id: "embed", status: "checking", title: t("step.embed"), detail: "", actions: "" };
    else if (!siteId) embedStep = { id: "embed", status: "todo", title: t("step.embed"), detail: t("step.embed.needsSiteId"), actions: enable };
    else if (embed === "active") embedStep = { id: "embed", status: "done", title: t("step.embed"), detail: t("step.embed.done"), actions: "" };
    else if (embed === "available") embedStep = { id: "embed", status: "todo", title: t("step.embed"), detail: t("step.embed.todo"), actions: enable + check };
    else if (embed === "unavailable") embedStep = { id: "embed", status: "problem", title: t("step.embed"), detail: t("step.embed.unavailable"), actions: enable + check };
    // App Bridge could not be asked: visits arriving prove the embed is on; otherwise say what to check.
    else if (visitsSeen) embedStep = { id: "embed", status: "done", title: t("step.embed"), detail: t("step.embed.inferred"), actions: "" };
    else embedStep = { id: "embed", status: "problem", title: t("step.embed"), detail: t("step.embed.unknown"), actions: enable + check };

    const recorded = Boolean(progress?.recorded || (embed === "unknown" && visitsSeen));
    const since = (progress?.visits ?? 0) - (progress?.visitsAtEmbed ?? 0);
    /** @type {Step} */
    const visitsStep = embedStep.status !== "done"
      ? { id: "visits", status: embedStep.status === "checking" ? "checking" : "todo", title: t("step.visits"), detail: t("step.visits.waiting"), actions: "" }
      : recorded
        ? { id: "visits", status: "done", title: t("step.visits"), detail: t("step.visits.detail", { count: I18n.number(embed === "unknown" ? progress?.visits : since) }), actions: "" }
        : { id: "visits", status: "todo", title: t("step.visits"), detail: t("step.visits.todo"), actions: check };

    return [
      { id: "subscribed", status: billing === null ? "checking" : "done", title: t("step.subscribed"), detail: billing === null ? "" : subDetail, actions: "" },
      { id: "account", status: "done", title: t("step.account"), detail: t("step.account.detail", { email: account.email ?? "" }), actions: "" },
      tracking
        ? siteId
          ? { id: "site-id", status: "done", title: t("step.siteId"), detail: t("step.siteId.detail", { id: siteId }), actions: "" }
          : { id: "site-id", status: "todo", title: t("step.siteId"), detail: t("step.siteId.todo"), actions: button("focus-site-id", t("step.siteId.action"), "secondary") }
        : { id: "site-id", status: "checking", title: t("step.siteId"), detail: "", actions: "" },
      embedStep,
      visitsStep,
    ];
  }

  /** @type {Record<Step["status"], [string, string]>} */
  const TONES = { done: ["success", "checklist.done"], todo: ["caution", "checklist.todo"], problem: ["critical", "checklist.problem"], checking: ["info", "checklist.checking"] };

  /** @param {ChecklistInput} input */
  function render(input) {
    const list = steps(input);
    const done = list.filter((s) => s.status === "done").length;
    const working = done === list.length;
    const count = I18n.number((input.tracking?.progress.visits ?? 0) - (input.tracking?.progress.visitsAtEmbed ?? 0));
    const toggle = button("show-checklist", t("checklist.show"), "tertiary");
    if (working && !input.expanded) {
      return `<s-section data-testid="checklist" data-state="working"><div class="working"><s-badge tone="success">${esc(t("checklist.done"))}</s-badge>
<s-text type="strong" data-testid="tracking-working">${esc(t("checklist.working"))}</s-text><span class="muted">${esc(t("checklist.workingDetail", { count }))}</span>${toggle}</div></s-section>`;
    }
    const items = list.map((s, i) => {
      const [tone, label] = TONES[s.status];
      return `<li class="step" data-testid="step-${s.id}" data-status="${s.status}"><span class="step-number" aria-hidden="true">${i + 1}</span>
<div class="step-body"><div class="step-title"><s-text type="strong">${esc(s.title)}</s-text> <s-badge tone="${tone}" data-testid="step-${s.id}-badge">${esc(t(label))}</s-badge></div>
${s.detail ? `<s-paragraph class="muted" data-testid="step-${s.id}-detail">${esc(s.detail)}</s-paragraph>` : ""}${s.actions ? `<div class="step-actions">${s.actions}</div>` : ""}</div></li>`;
    });
    return `<s-section heading="${esc(t("checklist.heading"))}" data-testid="checklist" data-state="${working ? "working" : "setup"}">
<s-paragraph class="muted" data-testid="checklist-progress">${esc(t("checklist.progress", { done, total: list.length }))}</s-paragraph>
<ol class="checklist">${items.join("")}</ol><div id="tracking-link-fallback"></div></s-section>`;
  }

  return { embedStatus, steps, render };
})();

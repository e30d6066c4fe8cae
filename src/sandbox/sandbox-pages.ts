import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { describeBillingPlan } from "../shopify/billing-plan.ts";
import type { SandboxCharge } from "./sandbox-admin.ts";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#f1f1f1;color:#303030;margin:0}
main{max-width:34rem;margin:4rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.3rem;margin:.5rem 0 1rem}.note{background:#fff4d6;border-radius:8px;padding:.5rem .75rem;font-weight:600}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{color:#616161}dd{margin:0}
form{display:flex;gap:.75rem;margin-top:1.5rem}button{font:inherit;padding:.5rem 1.25rem;border-radius:8px;border:1px solid #8a8a8a;background:#fff;cursor:pointer}
button.primary{background:#303030;color:#fff;border-color:#303030}a{color:#005bd3}`;

/** A whole page; every interpolated value is escaped by hono's `html` tag. */
export function sandboxPage(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Sandbox</title>
<style>${STYLE}</style>
</head>
<body><main>
<p class="note">Sandbox: no real money</p>
${body}
</main></body>
</html>`;
}

/** The confirmation page Shopify would show for a pending charge, or its outcome. */
export function confirmPage(charge: SandboxCharge, confirmPath: string): Html {
  const price = describeBillingPlan({ amount: Number(charge.price), currencyCode: charge.currency, interval: charge.interval });
  const heading = `Approve charge: ${charge.name} ${price}`;
  const details = html`<h1>${heading}</h1>
<dl>
<dt>Shop</dt><dd>${charge.shop}</dd>
<dt>Price</dt><dd>${price}${charge.trialDays > 0 ? `, after a ${charge.trialDays}-day free trial` : ""}</dd>
<dt>Charge</dt><dd>${charge.gid}${charge.test ? " (test)" : ""}</dd>
<dt>Status</dt><dd>${charge.status}</dd>
</dl>`;
  if (charge.status !== "PENDING") {
    return sandboxPage(heading, html`${details}<p>This charge is already ${charge.status.toLowerCase()}. <a href="${charge.returnUrl}">Back to the app</a></p>`);
  }
  return sandboxPage(heading, html`${details}
<p>In sandbox mode nothing is billed: approving delivers a signed <code>app_subscriptions/update</code> webhook to the app, as Shopify would.</p>
<form method="post" action="${confirmPath}">
<input type="hidden" name="charge" value="${charge.id}">
<button class="primary" type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="decline">Decline</button>
</form>`);
}

/** What the theme editor's app-embed deep link would do in a real store, with a switch for the sandbox shop's embed. */
export function themeEditorPage(shop: string, activateAppId: string, embedOn: boolean, savePath: string): Html {
  const real = `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${activateAppId}`;
  return sandboxPage("Theme editor", html`<h1>Theme editor: app embeds</h1>
<p>In a real store, <strong>Enable tracking</strong> opens Shopify's theme editor on the published theme with the
app embed <code>${activateAppId}</code> switched on, and the merchant clicks <em>Save</em>. This stand-in keeps the
switch in the sandbox shop; the app's page reads it as it reads App Bridge's <code>shopify.app.extensions()</code> in the admin.</p>
<p>MouseStats heatmaps app embed: <strong id="embed-state">${embedOn ? "on" : "off"}</strong></p>
<form method="post" action="${savePath}">
<input type="hidden" name="shop" value="${shop}"><input type="hidden" name="activateAppId" value="${activateAppId}">
${embedOn
    ? html`<button type="submit" name="embed" value="off">Switch off and save</button>`
    : html`<button class="primary" type="submit" name="embed" value="on">Switch on and save</button>`}
</form>
<p>The real link would be:</p>
<p><code style="overflow-wrap:anywhere">${real}</code></p>
<p><a href="/?shop=${shop}">Back to the app</a></p>`);
}

/** A short page for what went wrong, with an optional link. */
export function messagePage(title: string, message: string, link?: { href: string; text: string }): Html {
  return sandboxPage(title, html`<h1>${title}</h1><p>${message}</p>${link ? html`<p><a href="${link.href}">${link.text}</a></p>` : ""}`);
}

import type { MouseStatsUsage } from "./get-account-reply.ts";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function page(title: string, body: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    `<body>${body}</body>`,
    "</html>",
  ].join("\n");
}

export interface DashboardView {
  email: string;
  planName: string;
  planDaysLeft: number;
  usage: MouseStatsUsage;
}

/** The page behind a valid doLogin token: who is logged in and what the plan has used. */
export function renderDashboardPage(view: DashboardView): string {
  const rows: Array<[string, string, number]> = [
    ["Heatmap projects", "heatmap-projects", view.usage.heatmapProjects],
    ["Playback projects", "playback-projects", view.usage.playbackProjects],
    ["Heatmap visits", "heatmap-visits", view.usage.heatmapVisits],
    ["Playback visits", "playback-visits", view.usage.playbackVisits],
  ];
  const usage = rows
    .map(([label, id, value]) => `<tr><th scope="row">${label}</th><td id="${id}">${value}</td></tr>`)
    .join("");
  return page(
    "MouseStats dashboard (simulated)",
    [
      "<h1>MouseStats dashboard (simulated)</h1>",
      `<p>Logged in as <strong id="account-email">${escapeHtml(view.email)}</strong></p>`,
      `<p>Plan: <strong id="plan-name">${escapeHtml(view.planName)}</strong>,`,
      ` <span id="plan-days-left">${view.planDaysLeft}</span> days left</p>`,
      `<table><caption>Usage</caption>${usage}</table>`,
    ].join(""),
  );
}

/** doLogin with an unknown, expired or missing token. */
export function renderInvalidTokenPage(): string {
  return page(
    "MouseStats login failed (simulated)",
    "<h1>Invalid or expired token</h1><p>This login link is unknown or has expired. Ask for a new one.</p>",
  );
}

/** The small HTML page an injected server error answers with, like an IIS error page. */
export function renderErrorPage(status: number): string {
  return page(`${status} error (simulated)`, `<h1>Server Error</h1><p>HTTP ${status} (simulated fault).</p>`);
}

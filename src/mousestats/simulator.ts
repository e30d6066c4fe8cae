import { randomBytes } from "node:crypto";

import { Hono } from "hono";
import type { Context } from "hono";

import type { Logger } from "../logger.ts";
import { maskEmail } from "../logger.ts";
import type { MouseStatsOperation } from "./errors.ts";
import type { MouseStatsUsage } from "./get-account-reply.ts";
import { isValidHours } from "./login-token.ts";
import { CREATE_ACCOUNT_REPLIES, PERMISSION_DENIED } from "./reply-text.ts";
import { DEFAULT_FAULTS, applyFaults } from "./simulator-faults.ts";
import type { MouseStatsSimulatorFaults } from "./simulator-faults.ts";
import { renderDashboardPage, renderInvalidTokenPage } from "./simulator-pages.ts";
import { isValidPartner } from "./simulator-partner.ts";

export type { MouseStatsSimulatorFaults } from "./simulator-faults.ts";

export interface MouseStatsSimulatorOptions {
  partnerId: string;
  partnerSecret: string;
  /** Clock for token expiry and `calls[].at`. @default Date.now */
  now?: () => number;
  /** Dice for fault rates and latency ranges. @default Math.random */
  random?: () => number;
  faults?: Partial<MouseStatsSimulatorFaults>;
  /** Calls are logged at debug (masked email, never credentials) when given. */
  logger?: Logger;
}

export interface SimulatedAccount {
  /** As given to CreateAccount (case kept); GetAccount answers it with `(partnerId)` appended. */
  email: string;
  password: string;
  planName: string;
  planDaysLeft: number;
  usage: MouseStatsUsage;
}

export interface SimulatorCall {
  op: MouseStatsOperation;
  /** `_userEmail`, trimmed and lower-cased; "" when absent. */
  email: string;
  at: number;
}

export type AccountUpdate = Partial<MouseStatsUsage> & { planName?: string; planDaysLeft?: number };

export interface MouseStatsSimulator {
  /** Routes under `/api`: mount it at a prefix and point the client's baseUrl at `<prefix>/api`. */
  app: Hono;
  /** Mutable: change it between or during calls. */
  faults: MouseStatsSimulatorFaults;
  /** Every API call that arrived, with or without valid credentials, in order. */
  calls: SimulatorCall[];
  /** Keyed by lower-cased email. */
  accounts: Map<string, SimulatedAccount>;
  /** Forgets accounts, tokens and calls; restores the faults given at creation. */
  reset(): void;
  /** How many CreateAccount calls arrived, for one email (case-insensitive) or in all. */
  createAccountCalls(email?: string): number;
  /** Changes an existing account's usage or plan, as if the merchant had used MouseStats. */
  setAccountUsage(email: string, update: AccountUpdate): void;
}

/** Free plan granted by `_activeFreePlan=true`; MouseStats's real plan names are not documented. */
const FREE_PLAN = { planName: "Free", planDaysLeft: 30 } as const;
const NO_PLAN = { planName: "None", planDaysLeft: 0 } as const;
const HOUR_MS = 3_600_000;
const OPERATIONS: readonly MouseStatsOperation[] = ["CreateAccount", "GetAccount", "GenerateLoginToken"];

const emailKey = (email: string | undefined) => (email ?? "").trim().toLowerCase();

/**
 * An in-process MouseStats Reseller API (CreateAccount, GetAccount, GenerateLoginToken, doLogin)
 * on hono, with fault knobs, for tests and for running the app without reseller credentials.
 */
export function createMouseStatsSimulator(options: MouseStatsSimulatorOptions): MouseStatsSimulator {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const initialFaults = { ...DEFAULT_FAULTS, ...options.faults };
  const faults: MouseStatsSimulatorFaults = { ...initialFaults };
  const calls: SimulatorCall[] = [];
  const accounts = new Map<string, SimulatedAccount>();
  const tokens = new Map<string, { key: string; expiresAt: number }>();

  const permissionDenied = (c: Context) => c.text(PERMISSION_DENIED, 200);

  function createAccount(c: Context): Response {
    const email = c.req.query("_userEmail")?.trim() ?? "";
    const password = c.req.query("_userPassword") ?? "";
    const freePlan = (c.req.query("_activeFreePlan") ?? "false").toLowerCase();
    if (!email.includes("@")) return c.text("missing or invalid _userEmail", 400);
    if (password === "") return c.text("missing _userPassword", 400);
    if (freePlan !== "true" && freePlan !== "false") return c.text("_activeFreePlan must be true or false", 400);
    // Undocumented at MouseStats. Chosen: an opaque 200 text either way, so a client must
    // confirm with GetAccount, and a second CreateAccount never makes a second account.
    if (accounts.has(emailKey(email))) return c.text(CREATE_ACCOUNT_REPLIES.exists, 200);
    const plan = freePlan === "true" ? FREE_PLAN : NO_PLAN;
    const usage = { heatmapProjects: 0, playbackProjects: 0, heatmapVisits: 0, playbackVisits: 0 };
    accounts.set(emailKey(email), { email, password, ...plan, usage });
    return c.text(CREATE_ACCOUNT_REPLIES.created, 200);
  }

  function getAccount(c: Context): Response {
    const account = accounts.get(emailKey(c.req.query("_userEmail")));
    if (!account) return permissionDenied(c);
    // Same fields, order and `email(partnerId)` form as the document's sample output.
    return c.json({
      Email: `${account.email}(${options.partnerId})`,
      PlanName: account.planName,
      PlanDaysLeft: account.planDaysLeft,
      PlanUsedHeatmapProjects: account.usage.heatmapProjects,
      PlanUsedPlaybackProjects: account.usage.playbackProjects,
      PlanUsedHeatmapVisits: account.usage.heatmapVisits,
      PlanUsedPlaybackVisits: account.usage.playbackVisits,
    });
  }

  function generateLoginToken(c: Context): Response {
    const rawHours = c.req.query("_validHours");
    const validHours = rawHours === undefined ? 1 : /^\d+$/.test(rawHours) ? Number(rawHours) : Number.NaN;
    if (!isValidHours(validHours)) return c.text("_validHours must be an integer from 1 to 24", 400);
    const key = emailKey(c.req.query("_userEmail"));
    if (!accounts.has(key)) return permissionDenied(c);
    const token = randomBytes(16).toString("hex").toUpperCase();
    tokens.set(token, { key, expiresAt: now() + validHours * HOUR_MS });
    return c.text(token, 200);
  }

  // MouseStats does not say whether tokens are single-use; here they work until they expire.
  function doLogin(c: Context): Response {
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    const entry = tokens.get((c.req.query("_token") ?? "").trim().toUpperCase());
    const account = entry && now() < entry.expiresAt ? accounts.get(entry.key) : undefined;
    if (!account) return c.html(renderInvalidTokenPage(), 403);
    return c.html(renderDashboardPage(account));
  }

  const handlers: Record<MouseStatsOperation, (c: Context) => Response> = {
    CreateAccount: createAccount,
    GetAccount: getAccount,
    GenerateLoginToken: generateLoginToken,
  };

  async function handleApiCall(c: Context, op: MouseStatsOperation): Promise<Response> {
    const email = emailKey(c.req.query("_userEmail"));
    calls.push({ op, email, at: now() });
    const run = () =>
      isValidPartner(c.req.query("_partnerId"), c.req.query("_partnerSecret"), options)
        ? handlers[op](c)
        : permissionDenied(c);
    const early = faults.effectBeforeFault ? run() : undefined;
    const faulty = await applyFaults(faults, random, c.req.raw.signal);
    const response = faulty ?? early ?? run();
    options.logger?.debug({ op, email: maskEmail(email), status: response.status }, "mousestats simulator call");
    return response;
  }

  const app = new Hono();
  for (const op of OPERATIONS) app.get(`/api/${op}`, (c) => handleApiCall(c, op));
  app.get("/api/doLogin", doLogin);
  for (const path of [...OPERATIONS, "doLogin"]) {
    app.all(`/api/${path}`, (c) => c.text("method not allowed", 405, { allow: "GET" }));
  }

  return {
    app,
    faults,
    calls,
    accounts,
    reset() {
      accounts.clear();
      tokens.clear();
      calls.length = 0;
      Object.assign(faults, DEFAULT_FAULTS, initialFaults);
    },
    createAccountCalls(email) {
      const key = email === undefined ? undefined : emailKey(email);
      return calls.filter((call) => call.op === "CreateAccount" && (key === undefined || call.email === key)).length;
    },
    setAccountUsage(email, update) {
      const account = accounts.get(emailKey(email));
      if (!account) throw new Error(`simulator: no account for ${maskEmail(email)}`);
      const { planName, planDaysLeft, ...usage } = update;
      if (planName !== undefined) account.planName = planName;
      if (planDaysLeft !== undefined) account.planDaysLeft = planDaysLeft;
      for (const [field, value] of Object.entries(usage) as Array<[keyof MouseStatsUsage, number | undefined]>) {
        if (value !== undefined) account.usage[field] = value;
      }
    },
  };
}

// Types of the page's scripts (checked by `npm run typecheck` with tsconfig.json beside them; not served).
// App Bridge (`shopify`) and the Polaris elements come from @shopify/app-bridge-types and @shopify/polaris-types.

interface Window {
  /** The messages of the page's language (`/assets/messages/<lang>.js`), English filling any gap. */
  HeatmapsMessages?: Record<string, string>;
}

type AccountStatus = "none" | "pending" | "active" | "failed" | "inactive" | "needs_review";

/** The add-on as configured (`BILLING_*`). */
interface Offer {
  name: string;
  amount: number;
  currencyCode: string;
  interval: "EVERY_30_DAYS" | "ANNUAL";
  trialDays: number;
  test: boolean;
}

interface Usage {
  heatmapProjects: number;
  playbackProjects: number;
  heatmapVisits: number;
  playbackVisits: number;
}

/** `GET /api/account`. */
interface Account {
  shop: string;
  email: string | null;
  status: AccountStatus;
  plan: string | null;
  planDaysLeft: number | null;
  usage: Usage | null;
  error: string | null;
  stale: boolean;
  usageCheckedAt: string | null;
  offer: Offer;
}

/** `GET /api/billing`: the shop's subscription to the add-on, as Shopify reports it. */
interface BillingInfo {
  offer: Offer;
  subscription: {
    name: string;
    status: string;
    test: boolean;
    createdAt: string | null;
    trialEndsAt: string | null;
    currentPeriodEnd: string | null;
  } | null;
}

interface TrackingProgress {
  embedActiveSince: string | null;
  visitsAtEmbed: number | null;
  visits: number | null;
  recorded: boolean;
}

/** `GET /api/tracking`. */
interface TrackingSettings {
  siteId: string | null;
  embedUrl: string;
  withdrawnSiteId: string | null;
  progress: TrackingProgress;
}

/** What App Bridge says of the app embed in the published theme; `unknown` when it cannot be asked. */
type EmbedState = "active" | "available" | "unavailable" | "unknown" | "checking";

/** Calls the app's API with a session token; rejects with an ApiError. The answer's type is the caller's to name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from our own API, typed where it is used
type ApiCall = <T = any>(method: string, path: string, json?: unknown) => Promise<T>;

interface ApiError extends Error {
  status: number;
}

interface Window {
  /** fallback.js, loaded only when polaris.js did not load. */
  HeatmapsFallback?: { decorate(scope: Element): void };
}

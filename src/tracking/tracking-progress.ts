import type { AccountStore } from "../provisioning/account-store.ts";

/**
 * An app embed's status as App Bridge reports it for the published theme
 * (`shopify.app.extensions()`, `ThemeExtensionActivation.status` in `@shopify/app-bridge-types`):
 * `active` switched on, `available` could be switched on, `unavailable` cannot be here.
 * @see https://shopify.dev/docs/api/app-home/apis/authentication-and-data/app-api
 */
export const EMBED_STATUSES = ["active", "available", "unavailable"] as const;
export type EmbedStatus = (typeof EMBED_STATUSES)[number];

/** The setup checklist's last two steps, as far as the server knows them. */
export interface TrackingProgress {
  /** Since when the page has seen the embed on (ISO 8601); null while it has not. */
  embedActiveSince: string | null;
  /** The account's visits (heatmap + playback) when the embed was first seen on. */
  visitsAtEmbed: number | null;
  /** The account's visits now (cached GetAccount figures); null while MouseStats has not reported them. */
  visits: number | null;
  /** Visits rose above the count at the embed's switch-on: the storefront records. */
  recorded: boolean;
}

export interface TrackingProgressDeps {
  store: Pick<AccountStore, "getShop" | "upsertShop">;
  /** The shop's account's heatmap + playback visits, or null when unknown. */
  visitsOf: (shop: string) => Promise<number | null>;
  now: () => number;
}

/** Remembers when the embed was seen on and the visit count then, so "first visits" means visits since. */
export function createTrackingProgress(deps: TrackingProgressDeps) {
  const { store } = deps;

  async function read(shop: string): Promise<TrackingProgress> {
    const row = await store.getShop(shop);
    const since = row?.embedActiveSince ?? null;
    const visitsAtEmbed = since ? (row?.visitsAtEmbed ?? 0) : null;
    const visits = await deps.visitsOf(shop);
    return {
      embedActiveSince: since?.toISOString() ?? null,
      visitsAtEmbed,
      visits,
      recorded: since !== null && visits !== null && visits > (visitsAtEmbed ?? 0),
    };
  }

  return {
    read,
    /** What the page learnt from App Bridge: the first `active` sets the baseline, anything else clears it. */
    async noteEmbed(shop: string, status: EmbedStatus): Promise<TrackingProgress> {
      const row = await store.getShop(shop);
      if (status === "active" && !row?.embedActiveSince) {
        await store.upsertShop(shop, { embedActiveSince: new Date(deps.now()), visitsAtEmbed: (await deps.visitsOf(shop)) ?? 0 });
      } else if (status !== "active" && row?.embedActiveSince) {
        await store.upsertShop(shop, { embedActiveSince: null, visitsAtEmbed: null });
      }
      return read(shop);
    },
  };
}

export type TrackingProgressTracker = ReturnType<typeof createTrackingProgress>;

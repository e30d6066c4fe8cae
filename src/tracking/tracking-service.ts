import type { OfflineAccess } from "../shopify/offline-access.ts";
import type { ShopifyAdmin } from "../shopify/shopify-admin.ts";
import { isSiteId } from "./site-id.ts";
import { embedActivationId, SITE_ID_METAFIELD, themeEditorEmbedUrl } from "./tracking-embed.ts";

/** What the page's Tracking section shows. */
export interface TrackingSettings {
  /** The saved site ID, or `null` when none is saved (the storefront then loads nothing). */
  siteId: string | null;
  /** The theme-editor deep link that switches the app embed on. */
  embedUrl: string;
}

export interface TrackingService {
  read(shop: string): Promise<TrackingSettings>;
  /** Saves an ID that `parseSiteId` accepted; throws `TypeError` for anything else. */
  save(shop: string, siteId: string): Promise<TrackingSettings>;
  /** Deletes the saved site ID: the storefront stops loading MouseStats (the embed renders nothing). */
  clear(shop: string): Promise<TrackingSettings>;
  /** Access ended: deletes the saved site ID, if any, and returns it (for the page to offer back). */
  withdraw(shop: string, signal?: AbortSignal): Promise<string | null>;
}

export interface TrackingServiceDeps {
  admin: Pick<ShopifyAdmin, "getAppMetafield" | "setAppMetafield" | "deleteAppMetafield">;
  sessions: Pick<OfflineAccess, "getSession">;
  /** The app's client id, part of the deep link. */
  apiKey: string;
  /** Builds the deep link; the sandbox shop points it at its own stand-in page. @default themeEditorEmbedUrl */
  themeEditorUrl?: (shop: string, activateAppId: string) => string;
}

/** The site ID lives in Shopify (an app-data metafield), not in our database: the storefront reads it from there. */
export function createTrackingService(deps: TrackingServiceDeps): TrackingService {
  const { admin, sessions } = deps;
  const { namespace, key, type } = SITE_ID_METAFIELD;
  const activateAppId = embedActivationId(deps.apiKey);
  const editorUrl = deps.themeEditorUrl ?? themeEditorEmbedUrl;

  return {
    async read(shop) {
      const value = await admin.getAppMetafield(await sessions.getSession(shop), namespace, key);
      // A value the loader would refuse is shown as unset, as the storefront treats it.
      return { siteId: isSiteId(value) ? value : null, embedUrl: editorUrl(shop, activateAppId) };
    },

    async save(shop, siteId) {
      if (!isSiteId(siteId)) throw new TypeError("save() takes a site ID that parseSiteId accepted");
      await admin.setAppMetafield(await sessions.getSession(shop), { namespace, key, type, value: siteId });
      return { siteId, embedUrl: editorUrl(shop, activateAppId) };
    },

    async clear(shop) {
      await admin.deleteAppMetafield(await sessions.getSession(shop), namespace, key);
      return { siteId: null, embedUrl: editorUrl(shop, activateAppId) };
    },

    async withdraw(shop, signal) {
      const session = await sessions.getSession(shop);
      const value = await admin.getAppMetafield(session, namespace, key, { signal });
      if (value === null) return null;
      await admin.deleteAppMetafield(session, namespace, key, { signal });
      return isSiteId(value) ? value : null;
    },
  };
}

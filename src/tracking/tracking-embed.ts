/*
 * Where the storefront side of tracking lives, shared by the API, the page and the tests that
 * check the theme app extension's files against it.
 */

/** `extensions/<name>/`: the app's theme app extension. */
export const EXTENSION_NAME = "mousestats-tracking";

/** The app embed block's handle: its file name in `blocks/` without `.liquid`. */
export const EMBED_BLOCK_HANDLE = "mousestats-tracking";

/**
 * The app-data metafield holding the site ID. It is owned by the app installation, so only this
 * app reads or writes it (merchants and other apps cannot change what the storefront runs), it
 * needs no access scope, Liquid in the app's own extension reads it as
 * `app.metafields.mousestats.site_id`, and it disappears with the installation on uninstall.
 */
export const SITE_ID_METAFIELD = {
  namespace: "mousestats",
  key: "site_id",
  type: "single_line_text_field",
} as const;

/** The `data-*` attribute the block renders the site ID into and the loader reads. */
export const SITE_ID_ATTRIBUTE = "data-mousestats-site";

/** The deep link's `activateAppId`: `<client id>/<block handle>`. */
export function embedActivationId(apiKey: string): string {
  return `${apiKey}/${EMBED_BLOCK_HANDLE}`;
}

/**
 * The theme editor, on the shop's published theme, with the app embed switched on for the
 * merchant to save. Shopify offers no API to turn an app embed on, so this link is the way.
 * @see https://shopify.dev/docs/apps/build/online-store/theme-app-extensions/configuration#deep-linking
 */
export function themeEditorEmbedUrl(shop: string, activateAppId: string): string {
  // The slash stays literal, as in Shopify's documented link; the shop is a validated domain.
  const id = activateAppId.split("/").map(encodeURIComponent).join("/");
  return `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${id}`;
}

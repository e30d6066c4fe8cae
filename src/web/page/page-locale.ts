/** The languages the page speaks, one messages file each in `locales/`; English is the fallback. */
export const PAGE_LANGUAGES = ["en", "fr", "de", "es"] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

export interface PageLocale {
  /** Which messages file the page uses. */
  language: PageLanguage;
  /** BCP 47 tag for `<html lang>` and the page's Intl formats (`fr-CA` keeps Canadian formats). */
  tag: string;
}

const ENGLISH: PageLocale = { language: "en", tag: "en" };

/**
 * The page's locale. Shopify opens an embedded app with the admin user's language in the `locale`
 * query parameter (`fr`, `pt-BR`, …), as Shopify's own shopify_app gem reads it
 * (lib/shopify_app/controller_concerns/localization.rb: `params[:locale]`); App Bridge reports the
 * same as `shopify.config.locale` (@shopify/app-bridge-types: "the locale of the admin user
 * viewing your app, as an IETF BCP 47 language tag"). Without it, the browser's Accept-Language
 * decides; a language the page does not speak falls back to English.
 */
export function negotiatePageLocale(localeParam: string | undefined, acceptLanguage: string | undefined): PageLocale {
  const fromParam = localeParam === undefined ? undefined : supported(localeParam);
  if (fromParam) return fromParam;
  for (const range of (acceptLanguage ?? "").split(",")) {
    const match = supported(range.split(";")[0]!.trim());
    if (match) return match;
  }
  return ENGLISH;
}

function supported(tag: string): PageLocale | undefined {
  if (!/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$/.test(tag)) return undefined;
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(tag.replace(/_/g, "-"))[0]!;
  } catch {
    return undefined;
  }
  const language = canonical.split("-")[0]!.toLowerCase();
  return (PAGE_LANGUAGES as readonly string[]).includes(language) ? { language: language as PageLanguage, tag: canonical } : undefined;
}

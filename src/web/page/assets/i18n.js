// @ts-check
// The page's words and formats in the merchant's language: the messages of the page's language
// (messages/<lang>.js, loaded before this script, English filling any gap) and Intl formats for
// the locale in <html lang>. A key no language has shows as itself, and is kept in `missing`.
"use strict";
const I18n = (function i18n() {
  const locale = document.documentElement.lang || "en";
  /** @type {Record<string, string>} */
  const messages = window.HeatmapsMessages || {};
  /** @type {Set<string>} */
  const missing = new Set();

  /**
   * The message for `key` with `{name}` placeholders filled in.
   * @param {string} key
   * @param {Record<string, string | number>} [params]
   */
  function t(key, params) {
    const text = messages[key];
    if (text === undefined) missing.add(key);
    return (text ?? key).replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
  }

  /** @param {unknown} n */
  const number = (n) => new Intl.NumberFormat(locale).format(Number(n) || 0);

  /** @param {number} amount @param {string} currency */
  const money = (amount, currency) => new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);

  /** @param {string | Date} at */
  const date = (at) => new Date(at).toLocaleDateString(locale, { dateStyle: "medium" });

  /** @param {string | Date} at */
  const dateTime = (at) => new Date(at).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });

  /**
   * The add-on's price as the merchant pays it: "$9.99 every 30 days".
   * @param {Offer} offer
   */
  const price = (offer) => t(offer.interval === "ANNUAL" ? "offer.annual" : "offer.every30", { price: money(offer.amount, offer.currencyCode) });

  /** @param {string} key */
  const has = (key) => key in messages;

  return { locale, t, has, number, money, date, dateTime, price, missing };
})();

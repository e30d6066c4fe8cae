import { readFileSync } from "node:fs";
import { PAGE_LANGUAGES, type PageLanguage } from "./page-locale.ts";

export type Messages = Record<string, string>;

const LOCALES_DIR = new URL("./locales/", import.meta.url);

/** Each language's messages as its file has them (`locales/<lang>.json`, flat keys). */
export function loadPageMessages(dir: URL = LOCALES_DIR): Record<PageLanguage, Messages> {
  const entries = PAGE_LANGUAGES.map((lang) => [lang, JSON.parse(readFileSync(new URL(`${lang}.json`, dir), "utf8")) as Messages]);
  return Object.fromEntries(entries) as Record<PageLanguage, Messages>;
}

/** What the page gets: the language's messages, English filling any gap (a missing key is a bug the i18n test catches). */
export function messagesFor(all: Record<PageLanguage, Messages>, language: PageLanguage): Messages {
  return { ...all.en, ...all[language] };
}

/** A message the server writes into the HTML itself (the loading state, the title; none has placeholders). */
export function translate(messages: Messages, key: string): string {
  return messages[key] ?? key;
}

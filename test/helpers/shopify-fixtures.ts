import { readFileSync } from "node:fs";
import { join } from "node:path";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "shopify-webhooks");

/** Shopify's documented example body for a topic, byte for byte as the file holds it (see the folder's README). */
export function shopifyExample(topic: string): string {
  return readFileSync(join(FIXTURES, `${topic.replace(/[/_]/g, "-")}.json`), "utf8");
}

/**
 * A variant of an example made on its text, never through JSON.parse/stringify (which would
 * round its 64-bit ids). Each `from` must occur in the text, so a changed fixture fails loudly.
 */
export function editExample(text: string, edits: ReadonlyArray<readonly [from: string, to: string]>): string {
  return edits.reduce((body, [from, to]) => {
    if (!body.includes(from)) throw new Error(`fixture has no ${JSON.stringify(from)}`);
    return body.replaceAll(from, to);
  }, text);
}

/** The webhook topics `shopify.app.toml` subscribes to, compliance topics included. */
export function tomlWebhookTopics(): string[] {
  const toml = readFileSync(join(import.meta.dirname, "..", "..", "shopify.app.toml"), "utf8");
  return [...toml.matchAll(/^\s*(?:compliance_)?topics\s*=\s*\[([^\]]*)\]/gm)]
    .flatMap((m) => [...m[1]!.matchAll(/"([^"]+)"/g)].map((t) => t[1]!));
}

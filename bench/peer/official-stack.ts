/**
 * The peer in the bench table: the official stack a Shopify app developer starts from, Express
 * with `@shopify/shopify-app-express` and its `processWebhooks`, as Shopify's Node app template
 * mounts it (Shopify/shopify-app-template-node, web/index.js:
 * `app.post(shopify.config.webhooks.path, shopify.processWebhooks({ webhookHandlers }))`), with
 * the library's default logging. Its handler stores each delivery with the same SQLite row the
 * app writes for an order without the add-on, one insert per request, on a file with the app's
 * pragmas. Run in its own process, pinned like the app, its log lines in a file like the app's.
 *
 * Argument: the SQLite file. Environment: PORT; SHOPIFY_API_SECRET (the bench's app secret);
 * SQLITE_SYNCHRONOUS (the app's `synchronous` setting, so both are as durable).
 */
import Sqlite from "better-sqlite3";
import express from "express";
import { DeliveryMethod } from "@shopify/shopify-api";
import { shopifyApp } from "@shopify/shopify-app-express";
import { SHOPIFY_API_VERSION } from "../../src/shopify/api-version.ts";

const databaseFile = process.argv[2];
if (!databaseFile) throw new Error("usage: official-stack.ts <sqlite file>");
const db = new Sqlite(databaseFile);
db.pragma("journal_mode = WAL");
db.pragma(`synchronous = ${process.env.SQLITE_SYNCHRONOUS ?? "FULL"}`);
db.exec(`create table if not exists webhook_events (
  id integer primary key autoincrement, dedupe_key text not null, event_id text, webhook_id text not null,
  topic text not null, shop text not null, triggered_at integer, received_at integer not null, has_effect integer not null)`);
const insert = db.prepare(`insert into webhook_events (dedupe_key, event_id, webhook_id, topic, shop, triggered_at, received_at, has_effect)
  values (?, ?, ?, ?, ?, ?, ?, 0)`);

const shopify = shopifyApp({
  api: {
    apiKey: "bench-api-key",
    apiSecretKey: process.env.SHOPIFY_API_SECRET ?? "",
    scopes: ["read_orders"],
    hostScheme: "https",
    hostName: "bench.example.com",
    apiVersion: SHOPIFY_API_VERSION as never,
  },
  auth: { path: "/api/auth", callbackPath: "/api/auth/callback" },
  webhooks: { path: "/webhooks" },
});

const app = express();
app.post(shopify.config.webhooks.path, shopify.processWebhooks({
  webhookHandlers: {
    ORDERS_PAID: {
      deliveryMethod: DeliveryMethod.Http,
      callbackUrl: "/webhooks",
      // The library's callback gets the topic, shop, raw body and webhook id (not the event id).
      callback: async (topic, shop, _body, webhookId) => {
        insert.run(webhookId, null, webhookId, topic, shop, null, Date.now());
      },
    },
  },
}));

const server = app.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => { db.close(); process.exit(0); }));

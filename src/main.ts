import { loadConfigOrExit } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startServer } from "./server.ts";
import { describeStartupFailure } from "./startup-failure.ts";

/** `npm start`: parse the configuration, start the server, stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const { config, warnings } = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel });
  for (const warning of warnings) logger.warn(warning);

  const running = await startServer({ config, logger }).catch((err: unknown) => exitWith(describeStartupFailure(err, config)));
  const c = running.config;
  const shopifyMode = c.shopify.sandbox ? "sandbox shop (no Shopify calls)" : "Shopify";
  const mousestatsMode = c.mousestats.simulated ? `bundled MouseStats simulator at ${c.shopify.appUrl}/mousestats-simulator` : "MouseStats Reseller API";
  logger.info({ port: c.port, sandbox: c.shopify.sandbox, simulated: c.mousestats.simulated }, "listening");
  process.stdout.write(
    `\nMouseStats Heatmaps for Shopify is running.\n` +
    `  Mode:       ${shopifyMode}; ${mousestatsMode}\n` +
    `  Database:   ${c.databaseUrl}\n` +
    `  Node.js:    ${process.versions.node}\n` +
    (c.shopify.sandbox ? `  Open:       ${c.shopify.appUrl}/?shop=demo-shop.myshopify.com\n` : `  App URL:    ${c.shopify.appUrl} (open the app from the Shopify admin)\n`) +
    `  Webhooks:   POST ${c.shopify.appUrl}/webhooks\n\n`,
  );

  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1);
    logger.info({ signal }, "stopping");
    running.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, "stop failed");
      process.exit(1);
    });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** Start-up failures end like configuration errors: one line on stderr, exit code 1. */
function exitWith(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

await main().catch((err: unknown) => exitWith(describeStartupFailure(err)));

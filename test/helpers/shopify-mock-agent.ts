import { getGlobalDispatcher, MockAgent, setGlobalDispatcher, type Dispatcher } from "undici";

/**
 * Intercepts every HTTPS call to Shopify with undici's MockAgent as the global dispatcher
 * (Node 24's fetch reads it too). `allowLoopback` lets the app's own HTTP through.
 * `restore()` fails when a queued reply was never used, then puts the old dispatcher back.
 */
export function installShopifyMockAgent(options: { allowLoopback?: boolean } = {}) {
  const previous: Dispatcher = getGlobalDispatcher();
  const agent = new MockAgent();
  agent.disableNetConnect();
  if (options.allowLoopback) agent.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  setGlobalDispatcher(agent);
  return {
    agent,
    async restore(): Promise<void> {
      try {
        agent.assertNoPendingInterceptors();
      } finally {
        setGlobalDispatcher(previous);
        await agent.close();
      }
    },
  };
}

/** The text of an intercepted request body (a string or an async iterable of chunks). */
export async function readInterceptedBody(body: unknown): Promise<string> {
  if (body == null) return "";
  if (typeof body === "string") return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<string | Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

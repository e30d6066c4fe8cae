/**
 * Entry of the load generator's own process (see load-process.ts): builds named sets of
 * pre-signed requests, then runs loads with them, on request over IPC.
 */
import { runLoad, type LoadSpec } from "./load-generator.ts";
import { buildWebhookRequests, type WebhookEventsSpec } from "./webhook-events.ts";

export type LoadWorkerMessage =
  | { id: number; type: "build"; name: string; events: WebhookEventsSpec }
  | { id: number; type: "run"; name: string; load: LoadSpec; from?: number; count?: number };

const sets = new Map<string, Buffer[]>();

process.on("message", (message: LoadWorkerMessage) => {
  void handle(message).then(
    (result) => process.send!({ id: message.id, ok: true, result }),
    (err: unknown) => process.send!({ id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});

async function handle(message: LoadWorkerMessage): Promise<unknown> {
  if (message.type === "build") {
    const requests = buildWebhookRequests(message.events);
    sets.set(message.name, requests);
    return { bodyBytes: requests.reduce((n, r) => n + r.length - r.indexOf("\r\n\r\n") - 4, 0) / requests.length };
  }
  const set = sets.get(message.name);
  if (!set) throw new Error(`no request set named ${message.name}`);
  const from = message.from ?? 0;
  return runLoad(message.load, set.slice(from, from + (message.count ?? set.length - from)));
}

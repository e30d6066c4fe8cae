import type { AppDatabase } from "../db/app-database.ts";
import { maskEmail } from "../logger.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import { MouseStatsHttpError, MouseStatsPermissionDeniedError, isRetriableMouseStatsError } from "../mousestats/errors.ts";
import { classifyCreateAccountReply } from "../mousestats/reply-text.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { JobHandler } from "../queue/job-handler.ts";
import { createAccountStore } from "./account-store.ts";
import type { JobPayloads } from "./job-kinds.ts";
import { describeMouseStatsFailure, toJobError } from "./mousestats-failure.ts";
import { randomPassword } from "./random-password.ts";

export interface ProvisionAccountDeps {
  database: AppDatabase;
  mousestats: MouseStatsClient;
  activeFreePlan: boolean;
  now?: () => number;
}

/** CreateAccount answered, but GetAccount does not show the account: retried from GetAccount. */
const NOT_FOUND_AFTER_CREATE = "MouseStats answered CreateAccount, but GetAccount does not find the account yet.";

/**
 * `provision-account`: make sure the MouseStats account for an email exists, exactly once, and
 * settle which mappings may use it. Every attempt starts from GetAccount; CreateAccount is sent
 * only when MouseStats says the account is absent, and counts as done only once GetAccount
 * finds it (its reply is undocumented: a text we do not know is an error, kept and retried).
 * An account GetAccount finds that this app did not create is attached to nobody automatically
 * (`needs_review`). The queue runs one job per email at a time, so two of these never race.
 */
export function provisionAccountHandler(deps: ProvisionAccountDeps): JobHandler<JobPayloads["provision-account"]> {
  const store = createAccountStore(deps.database);
  const now = () => new Date((deps.now ?? Date.now)());
  // GetAccount is a read: one immediate retry of a transient failure saves a whole backed-off
  // attempt (with MouseStats failing 30% of calls, an attempt's odds go from ~1/3 to ~1/2).
  // Not when MouseStats named a wait (Retry-After): the queue honours that.
  async function getAccountRetryingOnce(email: string, signal: AbortSignal) {
    try {
      return await deps.mousestats.getAccount(email, { signal });
    } catch (err) {
      const namedWait = err instanceof MouseStatsHttpError && err.retryAfterMs !== undefined;
      if (signal.aborted || namedWait || !isRetriableMouseStatsError(err)) throw err;
      return deps.mousestats.getAccount(email, { signal });
    }
  }
  return {
    async run({ email }, { signal, logger }) {
      const log = logger.child({ email: maskEmail(email) });
      const row = await store.getAccount(email);
      if (!row) return; // redacted meanwhile: nothing left to provision
      try {
        const before = await getAccountRetryingOnce(email, signal);
        if (before.found) {
          // Ours if we asked MouseStats to create it (the reply may have been lost to a crash or a timeout).
          const createdByApp = row.createdByApp || row.createAttemptedAt !== null;
          await store.confirmAccount(email, before.account, { createdByApp, now: now() });
          log.info({ createdByApp }, "account confirmed at MouseStats");
          return;
        }
        await store.markCreateAttempted(email, now());
        let reply: string;
        try {
          ({ replyText: reply } = await deps.mousestats.createAccount({ email, password: randomPassword(), activeFreePlan: deps.activeFreePlan }, { signal }));
        } catch (err) {
          if (err instanceof MouseStatsPermissionDeniedError) throw new PermanentJobError(describeMouseStatsFailure(err), { cause: err });
          throw err;
        }
        const kind = classifyCreateAccountReply(reply);
        // "Exists": someone else made it between our GetAccount and CreateAccount; it is not ours.
        await store.recordCreateReply(email, reply, { notOurs: kind === "exists" });
        log.info({ reply }, "CreateAccount answered");
        if (kind === "unknown") throw new Error(`MouseStats answered CreateAccount with "${reply}".`);
        const after = await getAccountRetryingOnce(email, signal);
        if (!after.found) throw new Error(NOT_FOUND_AFTER_CREATE);
        await store.confirmAccount(email, after.account, { createdByApp: kind === "created", now: now() });
        log.info({ createdByApp: kind === "created" }, "account created and confirmed at MouseStats");
      } catch (err) {
        const jobError = err instanceof PermanentJobError ? err : toJobError(err);
        await store.recordAccountError(email, jobError.message, { failed: false, now: now() });
        throw jobError;
      }
    },
    async onFailed({ email }, err) {
      await store.recordAccountError(email, err instanceof Error ? err.message : String(err), { failed: true, now: now() });
    },
  };
}

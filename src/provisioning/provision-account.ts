import type { Db } from "../db/client.ts";
import { maskEmail } from "../logger.ts";
import type { MouseStatsClient } from "../mousestats/client.ts";
import { MouseStatsHttpError, MouseStatsPermissionDeniedError, isRetriableMouseStatsError } from "../mousestats/errors.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { JobHandler } from "../queue/worker.ts";
import { createAccountStore } from "./account-store.ts";
import type { JobPayloads } from "./job-kinds.ts";
import { describeMouseStatsFailure, toJobError } from "./mousestats-failure.ts";
import { randomPassword } from "./random-password.ts";

export interface ProvisionAccountDeps {
  db: Db;
  mousestats: MouseStatsClient;
  activeFreePlan: boolean;
  now?: () => number;
}

/**
 * `provision-account`: make sure the MouseStats account for an email exists, exactly once.
 * GetAccount first; CreateAccount only when MouseStats says the account is absent and we have
 * not created it already; GetAccount again to confirm (CreateAccount's reply is undocumented).
 * The queue runs one job per email at a time, so two of these never race.
 */
export function provisionAccountHandler(deps: ProvisionAccountDeps): JobHandler<JobPayloads["provision-account"]> {
  const store = createAccountStore(deps.db);
  const now = deps.now ?? Date.now;
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
      const row = store.getAccount(email);
      if (!row) return; // redacted meanwhile: nothing left to provision
      try {
        const before = await getAccountRetryingOnce(email, signal);
        if (before.found) {
          store.markAccountActive(email, before.account, new Date(now()));
          log.info({ createdByApp: row.createdByApp }, "account confirmed at MouseStats");
          return;
        }
        if (row.createdByApp) {
          // We created it on an earlier attempt; never create twice. Keep confirming.
          throw new Error("MouseStats accepted CreateAccount but GetAccount does not find the account yet.");
        }
        try {
          const created = await deps.mousestats.createAccount({ email, password: randomPassword(), activeFreePlan: deps.activeFreePlan }, { signal });
          store.markAccountCreatedByApp(email);
          log.info({ reply: created.replyText }, "CreateAccount answered");
        } catch (err) {
          if (err instanceof MouseStatsPermissionDeniedError) throw new PermanentJobError(describeMouseStatsFailure(err), { cause: err });
          throw err;
        }
        const after = await getAccountRetryingOnce(email, signal);
        if (!after.found) throw new Error("MouseStats accepted CreateAccount but GetAccount does not find the account yet.");
        store.markAccountActive(email, after.account, new Date(now()));
        log.info("account created and confirmed at MouseStats");
      } catch (err) {
        const jobError = err instanceof PermanentJobError ? err : toJobError(err);
        store.recordAccountError(email, jobError.message, { failed: false });
        throw jobError;
      }
    },
    onFailed({ email }, err) {
      store.recordAccountError(email, err instanceof Error ? err.message : String(err), { failed: true });
    },
  };
}

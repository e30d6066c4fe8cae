import type * as z from "zod";
import type { Logger } from "../logger.ts";
import { PermanentJobError, RetryLaterError } from "./errors.ts";
import type { JobContext, JobDefinitions, JobHandler } from "./job-handler.ts";
import type { JobInfo, PayloadMap } from "./job-queue.ts";

/** How one attempt ended, for the backend to record. */
export type AttemptResult =
  | { kind: "succeeded"; redactPayload: boolean }
  | { kind: "retry-later"; delayMs: number; message: string }
  | { kind: "failed"; message: string; permanent: boolean; error: unknown }
  /** The worker stopped it: give it back, as if it never ran. */
  | { kind: "released" };

export interface AttemptInput<P extends PayloadMap> {
  job: JobInfo;
  payload: unknown;
  definitions: JobDefinitions<P>;
  /** Ends the attempt at once: the worker is stopping and the grace period ran out. */
  stopSignal: AbortSignal;
  /** A job still running this long after its claim is given up (its signal aborted). */
  deadlineMs: number;
  logger: Logger;
}

/**
 * Runs one attempt of a job on either backend: the payload is checked against its kind's schema
 * (a payload that does not match fails for good, with the reason), then the handler runs until
 * it settles, its deadline passes, or the worker stops. A handler that ignores its signal still
 * ends here at the deadline; what it started is aborted through the signal.
 */
export async function runAttempt<P extends PayloadMap>(input: AttemptInput<P>): Promise<{ result: AttemptResult; ctx: JobContext; payload: unknown }> {
  const { job, definitions, stopSignal, deadlineMs } = input;
  const log = input.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
  const deadline = AbortSignal.timeout(deadlineMs);
  const signal = AbortSignal.any([stopSignal, deadline]);
  const ctx: JobContext = { job, signal, logger: log };
  const handler = handlerOf(definitions, job.kind);
  const schema = (definitions.schemas as Record<string, z.ZodType | undefined>)[job.kind];
  let payload = input.payload;
  try {
    if (!handler || !schema) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
    const parsed = schema.safeParse(input.payload);
    if (!parsed.success) throw new PermanentJobError(`the payload of this ${job.kind} job is not valid: ${parsed.error.message}`);
    payload = parsed.data;
    await untilAborted(handler.run(payload, ctx), signal);
    return { result: { kind: "succeeded", redactPayload: handler.redactPayloadWhenDone === true }, ctx, payload };
  } catch (err) {
    if (stopSignal.aborted) return { result: { kind: "released" }, ctx, payload };
    const message = deadline.aborted ? `the job ran past its deadline of ${deadlineMs} ms` : err instanceof Error ? err.message : String(err);
    if (err instanceof RetryLaterError) return { result: { kind: "retry-later", delayMs: err.delayMs, message }, ctx, payload };
    return { result: { kind: "failed", message, permanent: err instanceof PermanentJobError, error: err }, ctx, payload };
  }
}

/** Calls the kind's onFailed hook once the job failed for good; a hook that throws is logged, not rethrown. */
export async function notifyFailed<P extends PayloadMap>(definitions: JobDefinitions<P>, kind: string, payload: unknown, error: unknown, ctx: JobContext): Promise<void> {
  try {
    await handlerOf(definitions, kind)?.onFailed?.(payload, error, ctx);
  } catch (hookErr) {
    ctx.logger.error({ err: hookErr instanceof Error ? hookErr.message : String(hookErr) }, "onFailed hook threw");
  }
}

/** The work's own outcome, or the signal's reason as soon as it is aborted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The handler of a kind read from the database, where the kind is only known as text. */
function handlerOf<P extends PayloadMap>(definitions: JobDefinitions<P>, kind: string): JobHandler<unknown> | undefined {
  return (definitions.handlers as unknown as Record<string, JobHandler<unknown> | undefined>)[kind];
}

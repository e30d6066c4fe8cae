/** Thrown by a job handler to run the job again after `delayMs` without using up an attempt (429, Retry-After). */
export class RetryLaterError extends Error {
  readonly delayMs: number;
  constructor(delayMs: number, message = `retry in ${delayMs} ms`, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryLaterError";
    this.delayMs = Math.max(0, Math.round(delayMs));
  }
}

/** Thrown by a job handler when retrying cannot help: the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

/** Hono context variables set by middleware. */
export interface AppEnv {
  Variables: {
    /** `performance.now()` when the API first saw the request (for `Server-Timing`). */
    receivedAt: number;
    /** The shop a verified session token speaks for. */
    shop: string;
    sessionToken: string;
  };
}

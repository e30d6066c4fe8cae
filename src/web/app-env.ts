/** Hono context variables set by middleware. */
export interface AppEnv {
  Variables: {
    /** The shop a verified session token speaks for. */
    shop: string;
    sessionToken: string;
  };
}

import type { Backend, OpenBackendOptions } from "./backend.ts";

/** PostgreSQL with graphile-worker: comes with the next commit. */
export async function openPostgresBackend(_options: OpenBackendOptions): Promise<Backend> {
  throw new Error("DATABASE_URL: PostgreSQL is not supported by this build yet");
}

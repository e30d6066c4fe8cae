import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedLoopbackPort } from "../../src/mousestats/serve-loopback.ts";

export interface ThrowawayPostgres {
  /** `postgres://app@127.0.0.1:<port>/postgres`: the superuser `app`, trust auth on loopback only. */
  url: string;
  /** The server's (postmaster's) process id: the processes it starts later inherit its CPU affinity. */
  pid: number;
  /** A URL of a fresh, empty database on this server. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where Debian's `postgresql` package puts the server binaries (the newest version), or undefined. */
export function findPostgresBinaries(): string | undefined {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "postgres"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : join(root, newest, "bin");
}

/**
 * Starts a PostgreSQL server of its own in a temporary folder on a free loopback port, for tests
 * and the soak; `stop()` ends it and removes the folder. PostgreSQL refuses to run as root, so
 * under root (CI) it runs as the `postgres` system user the Debian package creates (setpriv).
 * @throws Error when PostgreSQL is not installed or the server does not come up
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = findPostgresBinaries();
  if (!bin) throw new Error("PostgreSQL is not installed (Debian: apt-get install postgresql)");
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "ms-postgres-"));
  const data = join(dir, "data");
  if (asRoot) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gids = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (ids.status !== 0) throw new Error("running as root, but there is no postgres user to run PostgreSQL as");
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  // setpriv execs the server itself (no process in between), so signals reach PostgreSQL.
  const command = (file: string, args: string[]): [string, string[]] =>
    (asRoot ? ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", file, ...args]] : [file, args]);
  const [initCmd, initArgs] = command(join(bin, "initdb"), ["-D", data, "-U", "app", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const init = spawnSync(initCmd, initArgs, { encoding: "utf8" });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await closedLoopbackPort();
  // Durability is not what a throwaway server is for: fsync off makes each test's commits cheap.
  const [cmd, args] = command(join(bin, "postgres"), [
    "-D", data, "-p", String(port), "-h", "127.0.0.1", "-k", dir,
    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300",
  ]);
  const server = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  server.stderr!.on("data", (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  const url = `postgres://app@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(bin, port, server, () => log);
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill("SIGINT"); // fast shutdown: aborts open transactions, no checkpoint wait
      const timer = setTimeout(() => server.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url,
    pid: server.pid!,
    async createDatabase(name) {
      const [psql, psqlArgs] = [join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", "app", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", `create database "${name}"`]];
      const made = spawnSync(psql, psqlArgs, { encoding: "utf8" });
      if (made.status !== 0) throw new Error(`create database ${name} failed: ${made.stderr}`);
      return url.replace(/\/postgres$/, `/${name}`);
    },
    stop,
  };
}

async function waitUntilAccepting(bin: string, port: number, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ready = spawnSync(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-q"]);
    if (ready.status === 0) return;
    if (server.exitCode !== null) throw new Error(`PostgreSQL exited before accepting connections:\n${log()}`);
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 15 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, parseConfig } from "../../src/config.ts";
import { waitFor } from "../helpers/test-server.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (name: string) => readFileSync(join(ROOT, name), "utf8");
const README = read("README.md");
const START_SCRIPT = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.start!;
const UNIT_FILE = "deploy/mousestats-heatmaps.service";

/** The text of a README section, from its heading to the next heading of the same level. */
function section(heading: string): string {
  const level = /^#+/.exec(heading)![0];
  const start = README.indexOf(`\n${heading}\n`);
  expect(start, `README has "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = README.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n${level} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** Variables named in the first column of the README's configuration table. */
const readmeVariables = () => section("## Configuration").split("\n").filter((l) => l.startsWith("| `"))
  .flatMap((l) => [...l.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));

/** `NAME=value` lines of the README's production variables block; a value saying "optional" marks one. */
function productionVariables(): Array<{ name: string; value: string; optional: boolean }> {
  const block = /```sh\n([\s\S]*?)```/.exec(section("### 2. The variables"))![1]!;
  return block.trim().split("\n").map((line) => {
    const [, name, value] = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)!;
    return { name: name!, value: value!, optional: /optional/.test(value!) };
  });
}

/** A working value for a README placeholder such as `<client secret>`. */
function fill(name: string, value: string): string {
  if (!value.startsWith("<")) return value;
  if (name === "APP_ENCRYPTION_KEY") return randomBytes(32).toString("base64");
  if (name === "METRICS_TOKEN") return randomBytes(16).toString("hex");
  return `deploy-test-${name.toLowerCase()}`;
}

/** `Name=value` settings of the systemd unit (all of them; Environment= may repeat). */
function unitSettings(): Array<[string, string]> {
  return read(UNIT_FILE).split("\n").filter((l) => /^[A-Z][A-Za-z]+=/.test(l)).map((l) => {
    const at = l.indexOf("=");
    return [l.slice(0, at), l.slice(at + 1)];
  });
}
const unitEnvironment = () => Object.fromEntries(unitSettings().filter(([k]) => k === "Environment").map(([, v]) => v.split(/=(.*)/s).slice(0, 2)));

describe("the documented configuration", () => {
  it("README's configuration table and .env.example name exactly the variables the app reads", () => {
    const envExample = [...read(".env.example").matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    expect([...readmeVariables()].sort()).toEqual([...CONFIG_VARIABLES].sort());
    expect([...envExample].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it("the production variables of the Deploy section are enough, and none of the required ones can go", () => {
    const vars = productionVariables();
    const env = Object.fromEntries(vars.map((v) => [v.name, fill(v.name, v.value)]));
    expect(env.NODE_ENV).toBe("production");
    expect(parseConfig(env).config.nodeEnv).toBe("production");
    for (const { name } of vars.filter((v) => !v.optional && v.name !== "NODE_ENV")) {
      const { [name]: _left, ...without } = env;
      let problems: readonly string[] = [];
      try { parseConfig(without); } catch (err) { if (err instanceof ConfigError) problems = err.problems; else throw err; }
      expect(problems.some((p) => p.includes(name)), `${name} is required: ${problems.join("; ")}`).toBe(true);
    }
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const instructions = dockerfile.split("\n").filter((l) => /^[A-Z]+ /.test(l));
  const env = Object.fromEntries(instructions.filter((l) => l.startsWith("ENV ")).map((l) => l.slice(4).split(/=(.*)/s).slice(0, 2)));

  it("sets only variables the app reads and the README documents, NODE_ENV=production among them", () => {
    const { NODE_COMPILE_CACHE, ...appEnv } = env;
    expect(appEnv.NODE_ENV).toBe("production");
    for (const name of Object.keys(appEnv)) {
      expect(CONFIG_VARIABLES).toContain(name);
      expect(readmeVariables()).toContain(name);
    }
    expect(instructions).toContain(`VOLUME ${appEnv.DATABASE_URL!.slice(0, appEnv.DATABASE_URL!.lastIndexOf("/"))}`);
    // Node's own: where `npm run build` leaves the bundle for every container's first start.
    expect(NODE_COMPILE_CACHE).toBe("/app/.cache");
    expect(instructions).toContain(`RUN npm run build && chown -R node:node ${NODE_COMPILE_CACHE}`);
    expect(instructions.indexOf("COPY . .")).toBeLessThan(instructions.findIndex((l) => l.startsWith("RUN npm run build")));
  });

  it("its build step leaves what npm start needs: the app then starts without building its bundle", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ms-docker-build-"));
    try {
      const cache = join(dir, "cache");
      const build = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.build!;
      expect(build).toMatch(/^node /);
      const built = execFileSync(process.execPath, build.split(" ").slice(1), { cwd: ROOT, env: { PATH: process.env.PATH ?? "", NODE_COMPILE_CACHE: cache }, encoding: "utf8" });
      expect(built).toContain("bundle was built");
      // Node keeps its compile cache in a folder per Node.js version inside NODE_COMPILE_CACHE; the bundles go there too.
      const [nodeFolder] = readdirSync(cache);
      const bundles = () => readdirSync(join(cache, nodeFolder!, "mousestats-app-bundles")).sort();
      const before = bundles();
      expect(before.some((name) => name.endsWith(".json"))).toBe(true);

      const app = spawn(process.execPath, ["src/start.js"], {
        cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "", NODE_COMPILE_CACHE: cache, DATABASE_URL: join(dir, "app.db"), PORT: "0", HOST: "127.0.0.1" },
      });
      let out = "";
      app.stdout.on("data", (d: Buffer) => { out += d.toString(); });
      app.stderr.on("data", (d: Buffer) => { out += d.toString(); });
      const exited = new Promise((resolve) => app.once("exit", resolve));
      const port = await waitFor(() => /"port":(\d+)/.exec(out)?.[1], 20_000, `the app to listen:\n${out}`);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      app.kill("SIGTERM");
      await exited;
      expect(bundles()).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs npm start on the Node.js the app needs, exposing the default port", () => {
    expect(instructions).toContain('CMD ["npm", "start"]');
    expect(START_SCRIPT).toBe("exec node --max-semi-space-size=2 src/start.js");
    expect(instructions).toContain(`EXPOSE ${parseConfig({}).config.port}`);
    expect(Number(/^FROM node:(\d+)-/m.exec(dockerfile)![1])).toBeGreaterThanOrEqual(24);
    expect(instructions.some((l) => l.startsWith("RUN npm ci --omit=dev"))).toBe(true);
  });
});

describe("systemd unit", () => {
  const dir = mkdtempSync(join(tmpdir(), "ms-deploy-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("sets only variables the app reads and the README documents, NODE_ENV=production among them", () => {
    const { NODE_COMPILE_CACHE, ...env } = unitEnvironment();
    expect(env.NODE_ENV).toBe("production");
    for (const name of Object.keys(env)) {
      expect(CONFIG_VARIABLES).toContain(name);
      expect(readmeVariables()).toContain(name);
    }
    // Node's own: its compile cache and the app's bundle, in the unit's cache directory.
    expect(NODE_COMPILE_CACHE).toBe("/var/cache/mousestats-heatmaps");
    expect(unitSettings()).toContainEqual(["CacheDirectory", "mousestats-heatmaps"]);
    expect(section("## Operating")).toContain("`NODE_COMPILE_CACHE`");
  });

  it("runs what npm start runs, without npm or a shell in between", () => {
    const execStart = unitSettings().find(([k]) => k === "ExecStart")![1];
    expect(execStart).toBe(`/usr/bin/node ${START_SCRIPT.replace(/^exec node /, "")}`);
    expect(README).toContain(UNIT_FILE);
  });

  it.runIf(existsSync("/usr/bin/systemd-analyze") && existsSync("/usr/bin/node"))("passes systemd-analyze verify", () => {
    const output = execFileSync("systemd-analyze", ["verify", join(ROOT, UNIT_FILE)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(output).toBe("");
  });

  it("starts in production with the unit's environment and the README's variables, and stops on SIGTERM", async () => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      ...unitEnvironment(),
      ...Object.fromEntries(productionVariables().map((v) => [v.name, fill(v.name, v.value)])),
      DATABASE_URL: join(dir, "state", "app.db"), NODE_COMPILE_CACHE: join(dir, "cache"), PORT: "0", HOST: "127.0.0.1",
    };
    const [, ...args] = unitSettings().find(([k]) => k === "ExecStart")![1].split(" ");
    // process.execPath stands in for /usr/bin/node: the Node.js 24 the tests run on.
    const app = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    app.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    app.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | string>((resolve) => app.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
    const port = await waitFor(() => /"port":(\d+),"sandbox":false,"simulated":false/.exec(out)?.[1], 20_000, `the app to listen:\n${out}`);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${env.METRICS_TOKEN}` } })).status).toBe(200);
    const stopAt = Date.now();
    app.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
  });
});

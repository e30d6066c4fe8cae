import { beforeEach, describe, expect, it } from "vitest";

import { createMouseStatsSimulator } from "./simulator.ts";

const HOUR_MS = 3_600_000;
const CREDENTIALS = "_partnerId=partnername&_partnerSecret=bvdj436hdas";
let clockMs = Date.parse("2030-01-01T00:00:00Z");
const simulator = createMouseStatsSimulator({
  partnerId: "partnername",
  partnerSecret: "bvdj436hdas",
  now: () => clockMs,
});

const get = (pathAndQuery: string, init?: RequestInit) => simulator.app.request(`/api/${pathAndQuery}`, init);
const create = (email = "test@example.com", extra = "&_userPassword=thePass36&_activeFreePlan=true") =>
  get(`CreateAccount?${CREDENTIALS}&_userEmail=${encodeURIComponent(email)}${extra}`);
const getAccount = (email: string) => get(`GetAccount?${CREDENTIALS}&_userEmail=${encodeURIComponent(email)}`);
const tokenFor = async (email: string, hours = "") => {
  const response = await get(`GenerateLoginToken?${CREDENTIALS}&_userEmail=${encodeURIComponent(email)}${hours}`);
  return { status: response.status, text: await response.text() };
};

beforeEach(() => {
  simulator.reset();
  clockMs = Date.parse("2030-01-01T00:00:00Z");
});

describe("simulator Reseller API", () => {
  it("answers the document's sample requests call by call", async () => {
    const created = await get(`CreateAccount?${CREDENTIALS}&_userEmail=test@example.com&_userPassword=thePass36&_activeFreePlan=true`);
    expect(created.status).toBe(200);
    expect(created.headers.get("content-type")).toMatch(/^text\/plain/);

    const account = await get(`GetAccount?${CREDENTIALS}&_userEmail=test@example.com`);
    expect(account.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await account.text();
    expect(body).toBe(
      '{"Email":"test@example.com(partnername)","PlanName":"Free","PlanDaysLeft":30,"PlanUsedHeatmapProjects":0,' +
        '"PlanUsedPlaybackProjects":0,"PlanUsedHeatmapVisits":0,"PlanUsedPlaybackVisits":0}',
    );

    const token = await get(`GenerateLoginToken?${CREDENTIALS}&_userEmail=test@example.com&_validHours=1`);
    expect(token.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await token.text()).toMatch(/^[0-9A-F]{32}$/);
  });

  it.each([
    ["&_activeFreePlan=false", "None", 0],
    ["&_activeFreePlan=TRUE", "Free", 30],
    ["", "None", 0],
  ])("gives the plan for _userPassword=pw%s", async (flag, planName, planDaysLeft) => {
    await create("plan@example.com", `&_userPassword=pw${flag}`);
    expect(await (await getAccount("plan@example.com")).json()).toMatchObject({ PlanName: planName, PlanDaysLeft: planDaysLeft });
  });

  it("treats emails case-insensitively and keeps the case given at creation", async () => {
    await create("Jane.Doe@Example.com");
    expect(await (await getAccount("jane.doe@example.COM")).json()).toMatchObject({ Email: "Jane.Doe@Example.com(partnername)" });
    expect(await (await create("JANE.DOE@example.com")).text()).toBe("account-exists");
    expect(simulator.accounts.size).toBe(1);
    expect(simulator.createAccountCalls("jane.doe@EXAMPLE.com")).toBe(2);
  });

  it.each([
    ["no email", "", "&_userPassword=pw"],
    ["an email without @", "nobody", "&_userPassword=pw"],
    ["no password", "a@example.com", "&_activeFreePlan=true"],
    ["a bad free-plan flag", "a@example.com", "&_userPassword=pw&_activeFreePlan=yes"],
  ])("answers 400 text to CreateAccount with %s", async (_label, email, extra) => {
    const response = await create(email, extra);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(simulator.accounts.size).toBe(0);
  });

  it.each([
    ["CreateAccount", "&_userPassword=pw&_activeFreePlan=true"],
    ["GetAccount", ""],
    ["GenerateLoginToken", ""],
  ])("answers permission-denied to %s with wrong or missing credentials", async (op, extra) => {
    await create("known@example.com");
    for (const credentials of ["_partnerId=partnername&_partnerSecret=wrong", "_partnerId=other&_partnerSecret=bvdj436hdas", ""]) {
      const response = await get(`${op}?${credentials}&_userEmail=known@example.com${extra}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await response.text()).toBe("permission-denied");
    }
    expect(simulator.accounts.size).toBe(1);
  });

  it("answers permission-denied to GetAccount and GenerateLoginToken for an unknown user", async () => {
    expect(await (await getAccount("nobody@example.com")).text()).toBe("permission-denied");
    expect(await tokenFor("nobody@example.com")).toEqual({ status: 200, text: "permission-denied" });
  });

  it.each(["0", "25", "1.5", "abc", ""])("answers 400 to _validHours=%s", async (hours) => {
    await create();
    expect((await tokenFor("test@example.com", `&_validHours=${hours}`)).status).toBe(400);
  });

  it("answers only GET (405 otherwise)", async () => {
    for (const path of ["CreateAccount", "GetAccount", "GenerateLoginToken", "doLogin"]) {
      for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
        const response = await get(`${path}?${CREDENTIALS}&_userEmail=a@example.com&_userPassword=pw`, { method });
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.get("allow")).toBe("GET");
      }
    }
    expect(simulator.accounts.size).toBe(0);
    expect(simulator.calls).toHaveLength(0);
  });

  it("records every API call with the lower-cased email and the injected time", async () => {
    await create("Rec@Example.com");
    clockMs += 5;
    await get("GetAccount?_partnerId=x&_partnerSecret=y&_userEmail=REC@example.com");
    expect(simulator.calls).toEqual([
      { op: "CreateAccount", email: "rec@example.com", at: Date.parse("2030-01-01T00:00:00Z") },
      { op: "GetAccount", email: "rec@example.com", at: Date.parse("2030-01-01T00:00:00Z") + 5 },
    ]);
    expect(simulator.createAccountCalls()).toBe(1);
  });

  it("refuses to change the usage of an unknown account", () => {
    expect(() => simulator.setAccountUsage("ghost@example.com", { heatmapVisits: 1 })).toThrow(/no account/);
  });
});

describe("simulator doLogin", () => {
  const doLogin = (token: string) => get(`doLogin?_token=${encodeURIComponent(token)}`);

  it("shows the account, plan and usage for a valid token, more than once", async () => {
    await create("Shop@Example.com");
    const usage = { heatmapProjects: 3, playbackProjects: 4, heatmapVisits: 567, playbackVisits: 89 };
    simulator.setAccountUsage("shop@example.com", { ...usage, planName: "SaneEgg" });
    const { text: token } = await tokenFor("shop@example.com");
    for (const candidate of [token, token.toLowerCase()]) {
      const page = await doLogin(candidate);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain("MouseStats dashboard (simulated)");
      for (const shown of ["Shop@Example.com", "SaneEgg", ">3<", ">4<", ">567<", ">89<"]) expect(html).toContain(shown);
    }
  });

  it.each([
    [1, "", HOUR_MS],
    [24, "&_validHours=24", 24 * HOUR_MS],
  ])("expires a %i-hour token at the end of its hours", async (_hours, query, lifetimeMs) => {
    await create();
    const { text: token } = await tokenFor("test@example.com", query);
    clockMs += lifetimeMs - 1;
    expect((await doLogin(token)).status).toBe(200);
    clockMs += 1;
    const expired = await doLogin(token);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/invalid or expired token/i);
  });

  it.each(["03C879E18F6AA4E15E1EB81C88E91B01", "", "<script>"])("rejects the unknown token %j with 403", async (token) => {
    const page = await doLogin(token);
    expect(page.status).toBe(403);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/invalid or expired token/i);
  });

  it("escapes the email on the dashboard", async () => {
    await create(`"><img src=x onerror=alert(1)>@example.com`);
    const { text: token } = await tokenFor(`"><img src=x onerror=alert(1)>@example.com`);
    expect(await (await doLogin(token)).text()).not.toContain("<img");
  });
});

describe("simulator faults", () => {
  it("answers errorStatus with an HTML page when errorRate is 1, and recovers after reset", async () => {
    simulator.faults.errorRate = 1;
    const failed = await create();
    expect(failed.status).toBe(500);
    expect(failed.headers.get("content-type")).toMatch(/^text\/html/);
    expect(simulator.accounts.size).toBe(0);
    expect(simulator.createAccountCalls()).toBe(1);
    simulator.reset();
    expect((await create()).status).toBe(200);
  });

  it("applies the fault after the effect when effectBeforeFault is set", async () => {
    Object.assign(simulator.faults, { errorRate: 1, errorStatus: 503, effectBeforeFault: true });
    const failed = await create();
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(simulator.accounts.has("test@example.com")).toBe(true);
  });

  it("leaves doLogin alone", async () => {
    await create();
    const { text: token } = await tokenFor("test@example.com");
    Object.assign(simulator.faults, { errorRate: 1, hang: true });
    expect((await get(`doLogin?_token=${token}`)).status).toBe(200);
  });

  it("hangs until the request is aborted", async () => {
    simulator.faults.hang = true;
    const controller = new AbortController();
    let isSettled = false;
    const request = get(`GetAccount?${CREDENTIALS}&_userEmail=a@example.com`, { signal: controller.signal });
    const pending = Promise.resolve(request).finally(() => {
      isSettled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isSettled).toBe(false);
    controller.abort();
    await pending.catch(() => undefined);
    expect(isSettled).toBe(true);
  });

  it("draws latency, hangs and errors from the injected dice", async () => {
    const rolls = [0.5, 0.9, 0.1];
    const dicey = createMouseStatsSimulator({
      partnerId: "p",
      partnerSecret: "s",
      random: () => rolls.shift() ?? 0,
      faults: { latencyMs: [0, 40], hangRate: 0.5, errorRate: 0.2 },
    });
    const startedAt = performance.now();
    const response = await dicey.app.request("/api/GetAccount?_partnerId=p&_partnerSecret=s&_userEmail=a@b.com");
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(15);
    expect(response.status).toBe(500);
    expect(rolls).toEqual([]);
  });
});

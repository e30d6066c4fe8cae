import { createSilentLogger } from "../../src/logger.ts";
import { createMouseStatsClient } from "../../src/mousestats/client.ts";
import { parseCommandArgs, type AccountsCommand } from "./command.ts";

export const loginLink: AccountsCommand = {
  usage: "login-link <email>",
  summary: "a MouseStats login link for support staff (plans are upgraded inside the panel)",
  async run(argv, { config, print }) {
    const [email] = parseCommandArgs(argv, {}, 1).positionals;
    if (config.mousestats.simulated) print("note: no partner credentials set; the bundled simulator (inside a running `npm start`) answers");
    const client = createMouseStatsClient({
      baseUrl: config.mousestats.apiUrl, loginUrl: config.mousestats.loginUrl, partnerId: config.mousestats.partnerId,
      partnerSecret: config.mousestats.partnerSecret, timeoutMs: config.mousestats.timeoutMs, logger: createSilentLogger(),
    });
    const token = await client.generateLoginToken(email!.trim().toLowerCase(), config.loginTokenValidHours);
    print(`${client.loginUrl(token)}\n(valid ${config.loginTokenValidHours} h; treat it like a password)`);
  },
};

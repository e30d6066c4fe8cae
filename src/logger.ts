import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object. Secrets are kept out of log
 * calls by construction; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  "secret", "*.secret", "password", "*.password", "accessToken", "*.accessToken",
  "refreshToken", "*.refreshToken", "token", "*.token", "sessionToken", "*.sessionToken",
  "partnerSecret", "*.partnerSecret", "apiSecret", "*.apiSecret", "authorization",
  "*.authorization", "headers.authorization", "req.headers.authorization",
  'req.headers["x-shopify-hmac-sha256"]', "hmac", "*.hmac", "url", "*.url",
] as const;

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

/** The app's one logger: pino JSON lines with secrets redacted; scope it with `.child({...})`. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: [...REDACTED_PATHS], censor: "[redacted]" },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** A logger that writes nothing, for tests that do not look at logs. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}

/** `jane@example.com` → `ja***@example.com`: enough for support to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "***";
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
}

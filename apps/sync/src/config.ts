import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_LIMITS, type LimitPolicy, LOAD_TEST_LIMITS } from "./limits/policy.ts";

/** Everything the server reads from its environment, checked once at start. */
export interface Config {
  port: number;
  host: string;
  /** PGlite's data directory, used when no DATABASE_URL is given. */
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** The built web app to serve; null serves the API and WebSocket only. */
  webDist: string | null;
  /** Origins allowed besides the server's own (for a front end served elsewhere). */
  allowedOrigins: string[];
  /** Mark the session cookie Secure (behind HTTPS). */
  secureCookies: boolean;
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: string;
  /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry. */
  trustProxy: boolean;
  /** Rate limits (limits/policy.ts); tests and the fuzz test override them. */
  limits: LimitPolicy;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    problems.push(`PORT must be a port number (0–65535), got "${env.PORT}".`);
  for (const [name, schemes] of [
    ["DATABASE_URL", ["postgres:", "postgresql:"]],
    ["REDIS_URL", ["redis:", "rediss:"]],
  ] as const) {
    const value = env[name];
    if (!value) continue;
    let scheme = "";
    try {
      scheme = new URL(value).protocol;
    } catch {}
    if (!(schemes as readonly string[]).includes(scheme))
      problems.push(
        `${name} must be a URL starting with ${schemes.map((s) => `${s}//`).join(" or ")}, got "${value}".`,
      );
  }
  const allowedOrigins = (env.ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of allowedOrigins) {
    try {
      if (new URL(origin).origin !== origin) throw new Error();
    } catch {
      problems.push(
        `ALLOWED_ORIGINS entries must be origins like https://chat.example.com, got "${origin}".`,
      );
    }
  }
  const logLevel = env.LOG_LEVEL ?? "info";
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel))
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}".`,
    );
  const rateLimits = env.RATE_LIMITS ?? "on";
  if (rateLimits !== "on" && rateLimits !== "off")
    problems.push(`RATE_LIMITS must be "on" or "off" (for load tests only), got "${rateLimits}".`);
  const webDist = env.WEB_DIST
    ? resolve(env.INIT_CWD ?? process.cwd(), env.WEB_DIST)
    : resolve(repoRoot, "apps/web/dist");
  if (env.WEB_DIST && !existsSync(resolve(webDist, "index.html")))
    problems.push(`WEB_DIST must point at a built web app (no index.html in ${webDist}).`);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return {
    port,
    host: env.HOST ?? "0.0.0.0",
    // Relative to where the command was typed (npm runs workspace scripts in apps/sync, so INIT_CWD
    // is the folder the person was in); the default lives at the repository root.
    dataDir: env.DATA_DIR ? resolve(env.INIT_CWD ?? process.cwd(), env.DATA_DIR) : resolve(repoRoot, "data"),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    webDist: existsSync(resolve(webDist, "index.html")) ? webDist : null,
    allowedOrigins,
    secureCookies: env.SECURE_COOKIES === "true",
    logLevel,
    trustProxy: env.TRUST_PROXY === "true",
    limits: rateLimits === "off" ? LOAD_TEST_LIMITS : DEFAULT_LIMITS,
  };
}

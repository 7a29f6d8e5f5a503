import { accessSync, constants, existsSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FileStoreConfig } from "./files/openFileStore.ts";
import { DEFAULT_LIMITS, type LimitPolicy, LOAD_TEST_LIMITS } from "./limits/policy.ts";

/** Everything the server reads from its environment, checked once at start. */
export interface Config {
  port: number;
  host: string;
  /** PGlite's data directory, used when no DATABASE_URL is given. */
  dataDir: string;
  /** PGlite's page cache (Postgres's shared_buffers), in MiB: the bound on what it keeps in memory. */
  pgliteCacheMb: number;
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
  /** `/metrics` answers only requests with `Authorization: Bearer <this>`; null: no token asked. */
  metricsToken: string | null;
  /** `/metrics` is served on this port (on HOST) instead of the app's; null: not on a port of its own. */
  metricsPort: number | null;
  /** The largest file one upload may be, in bytes (MAX_UPLOAD_MB). */
  maxUploadBytes: number;
  /** Where attached files are kept: a folder (DATA_DIR/files), or an S3-compatible bucket (S3_BUCKET…). */
  fileStore: FileStoreConfig;
  /** Web Push (push/): the VAPID keys given by the operator (else generated once and kept in Postgres). */
  push: PushConfig;
}

export interface PushConfig {
  /** VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (base64url), or null to use the keys kept in Postgres. */
  vapidKeys: { publicKey: string; privateKey: string } | null;
  /** Who runs this server, for push services (VAPID_SUBJECT: a mailto: or https: URL). */
  subject: string;
  /**
   * PUSH_ALLOW_LOCAL=true (tests only): subscriptions may name http:// endpoints and this machine's or
   * private addresses; otherwise each is refused, so nobody can make the server post to its own network.
   */
  allowLocal: boolean;
  /** The first wait before a failed push is tried again (then doubling); tests shorten it. */
  firstRetryMs: number;
}

export const DEFAULT_MAX_UPLOAD_MB = 25;
/**
 * PGlite's page cache in MiB (PGLITE_CACHE_MB). Postgres's default, 128 MiB, is taken in full when the
 * database starts and never given back: the embedded server sat at about 400 MiB resident when idle.
 * A chat's working set (recent segments, read positions, sessions) fits in far less, and pages beyond
 * it come from the operating system's file cache (docs/benchmarks.md, "Memory").
 */
export const DEFAULT_PGLITE_CACHE_MB = 32;
/** A bound on MAX_UPLOAD_MB: an upload is one request, and a chat is not a file-transfer service. */
const MAX_MAX_UPLOAD_MB = 10_240;

export class ConfigError extends Error {
  override name = "ConfigError";
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** A host name as RFC 1123 has it: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** "true" or "false"; unset (or empty) is false. */
function flag(env: NodeJS.ProcessEnv, name: string, meaning: string, problems: string[]): boolean {
  const value = env[name] || "false";
  if (value !== "true" && value !== "false")
    problems.push(`${name} must be "true" or "false" (${meaning}), got "${value}".`);
  return value === "true";
}

/** Why PGlite could not keep its data in `dir`, or null if it can (the folder is made when missing). */
function dataDirProblem(dir: string): string | null {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    if (!statSync(existing).isDirectory()) return `${existing} is a file, not a folder`;
    accessSync(existing, constants.W_OK | constants.X_OK);
    return null;
  } catch {
    return `${existing} is not writable by this user`;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  // An empty value counts as unset, as for every variable here.
  const port = Number(env.PORT || 8080);
  if (!/^\d+$/.test(env.PORT || "8080") || port > 65_535)
    problems.push(`PORT must be a port number (0–65535; 0 picks a free one), got "${env.PORT}".`);
  // Metrics name every route's traffic and the process's memory: for the operator, not the internet.
  const metricsPort = env.METRICS_PORT ? Number(env.METRICS_PORT) : null;
  if (metricsPort !== null && (!/^\d+$/.test(env.METRICS_PORT!) || metricsPort > 65_535))
    problems.push(
      `METRICS_PORT must be a port number (0–65535; 0 picks a free one) for /metrics alone, got "${env.METRICS_PORT}".`,
    );
  else if (metricsPort !== null && metricsPort !== 0 && metricsPort === port)
    problems.push(`METRICS_PORT must differ from PORT (${port}): /metrics gets a port of its own.`);
  const metricsToken = env.METRICS_TOKEN || null;
  // The token itself is never echoed: configuration errors end up in logs.
  if (metricsToken !== null && !/^[\x21-\x7e]{16,}$/.test(metricsToken))
    problems.push(
      `METRICS_TOKEN must be at least 16 characters, letters, digits and punctuation without spaces (it is sent as "Authorization: Bearer <token>"); the one given has ${metricsToken.length} characters${/[^\x21-\x7e]/.test(metricsToken) ? " and some that are not allowed" : ""}.`,
    );
  const host = env.HOST || "0.0.0.0";
  if (isIP(host) === 0 && !HOST_NAME.test(host))
    problems.push(
      `HOST must be an IP address to listen on (0.0.0.0 for every IPv4 interface, :: for every interface, 127.0.0.1 for this machine only) or a host name, without brackets or port; got "${host}".`,
    );
  // Relative to where the command was typed (npm runs workspace scripts in apps/sync, so INIT_CWD
  // is the folder the person was in); the default lives at the repository root.
  const dataDir = env.DATA_DIR
    ? resolve(env.INIT_CWD ?? process.cwd(), env.DATA_DIR)
    : resolve(repoRoot, "data");
  if (!env.DATABASE_URL) {
    const problem = dataDirProblem(dataDir);
    if (problem)
      problems.push(
        `DATA_DIR must be a folder the server can create or write to (PGlite keeps its data there): ${problem}.`,
      );
  }
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
  const logLevel = env.LOG_LEVEL || "info";
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel))
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}".`,
    );
  const rateLimits = env.RATE_LIMITS || "on";
  if (rateLimits !== "on" && rateLimits !== "off")
    problems.push(`RATE_LIMITS must be "on" or "off" (for load tests only), got "${rateLimits}".`);
  const webDist = env.WEB_DIST
    ? resolve(env.INIT_CWD ?? process.cwd(), env.WEB_DIST)
    : resolve(repoRoot, "apps/web/dist");
  if (env.WEB_DIST && !existsSync(resolve(webDist, "index.html")))
    problems.push(`WEB_DIST must point at a built web app (no index.html in ${webDist}).`);
  const maxUploadMb = Number(env.MAX_UPLOAD_MB || DEFAULT_MAX_UPLOAD_MB);
  if (!/^\d+(\.\d+)?$/.test(env.MAX_UPLOAD_MB || "25") || maxUploadMb <= 0 || maxUploadMb > MAX_MAX_UPLOAD_MB)
    problems.push(
      `MAX_UPLOAD_MB must be a number of megabytes above 0 and at most ${MAX_MAX_UPLOAD_MB} (the largest file one upload may be), got "${env.MAX_UPLOAD_MB}".`,
    );
  const pgliteCacheMb = Number(env.PGLITE_CACHE_MB || DEFAULT_PGLITE_CACHE_MB);
  if (!/^\d+$/.test(env.PGLITE_CACHE_MB || "32") || pgliteCacheMb < 1 || pgliteCacheMb > 65_536)
    problems.push(
      `PGLITE_CACHE_MB must be a whole number of megabytes from 1 to 65536 (the embedded database's page cache), got "${env.PGLITE_CACHE_MB}".`,
    );
  const fileStore = fileStoreConfig(env, dataDir, !env.DATABASE_URL, problems);
  const secureCookies = flag(env, "SECURE_COOKIES", "true behind HTTPS", problems);
  const trustProxy = flag(env, "TRUST_PROXY", "true behind a reverse proxy", problems);
  const push = pushConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return {
    port,
    host,
    dataDir,
    pgliteCacheMb,
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    webDist: existsSync(resolve(webDist, "index.html")) ? webDist : null,
    allowedOrigins,
    secureCookies,
    logLevel,
    trustProxy,
    limits: rateLimits === "off" ? LOAD_TEST_LIMITS : DEFAULT_LIMITS,
    metricsToken,
    metricsPort,
    maxUploadBytes: Math.floor(maxUploadMb * 1024 * 1024),
    fileStore,
    push,
  };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function pushConfig(env: NodeJS.ProcessEnv, problems: string[]): PushConfig {
  const publicKey = env.VAPID_PUBLIC_KEY || "";
  const privateKey = env.VAPID_PRIVATE_KEY || "";
  if (!publicKey !== !privateKey)
    problems.push(
      "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both (from `npx web-push generate-vapid-keys`), or neither to have the server generate a pair once and keep it in the database.",
    );
  // A P-256 public key uncompressed is 65 bytes (87 base64url characters), its private key 32 (43).
  if (publicKey && (!BASE64URL.test(publicKey) || Buffer.from(publicKey, "base64url").length !== 65))
    problems.push("VAPID_PUBLIC_KEY must be a P-256 public key in base64url (87 characters, 65 bytes).");
  if (privateKey && (!BASE64URL.test(privateKey) || Buffer.from(privateKey, "base64url").length !== 32))
    problems.push("VAPID_PRIVATE_KEY must be a P-256 private key in base64url (43 characters, 32 bytes).");
  const subject = env.VAPID_SUBJECT || "mailto:admin@chat.invalid";
  if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(subject))
    problems.push(
      `VAPID_SUBJECT must be a mailto: address or an https: URL where push services can reach the operator, got "${subject}".`,
    );
  return {
    vapidKeys: publicKey && privateKey ? { publicKey, privateKey } : null,
    subject,
    allowLocal: flag(
      env,
      "PUSH_ALLOW_LOCAL",
      "true in tests only: push to http:// and private addresses",
      problems,
    ),
    firstRetryMs: 1_000,
  };
}

/**
 * S3_BUCKET chooses object storage (several instances share it); without it files are kept in
 * DATA_DIR/files, which must then be writable (DATA_DIR defaults to ./data even with DATABASE_URL).
 */
function fileStoreConfig(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  dataDirChecked: boolean,
  problems: string[],
): FileStoreConfig {
  const bucket = env.S3_BUCKET || "";
  if (!bucket) {
    const others = ["S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION"].filter(
      (n) => env[n],
    );
    if (others.length > 0)
      problems.push(
        `${others.join(", ")} ${others.length === 1 ? "is" : "are"} set but S3_BUCKET is not: set S3_BUCKET to keep files in that bucket, or unset ${others.length === 1 ? "it" : "them"} to keep files in DATA_DIR/files.`,
      );
    const dir = resolve(dataDir, "files");
    // PGlite's check of DATA_DIR (above) already covers the folder inside it.
    const problem = dataDirChecked ? null : dataDirProblem(dir);
    if (problem)
      problems.push(
        `DATA_DIR must be a folder the server can write to (attached files are kept in ${dir}): ${problem}.`,
      );
    return { kind: "disk", dir };
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    problems.push(`S3_BUCKET must be a bucket name (3–63 of a–z, 0–9, dots and dashes), got "${bucket}".`);
  const endpoint = env.S3_ENDPOINT || undefined;
  if (endpoint) {
    let scheme = "";
    try {
      scheme = new URL(endpoint).protocol;
    } catch {}
    if (scheme !== "http:" && scheme !== "https:")
      problems.push(`S3_ENDPOINT must be a URL starting with http:// or https://, got "${endpoint}".`);
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY || undefined;
  if (!accessKeyId !== !secretAccessKey)
    problems.push(
      "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither to use the usual AWS credential chain.",
    );
  return { kind: "s3", endpoint, bucket, region: env.S3_REGION || "us-east-1", accessKeyId, secretAccessKey };
}

/**
 * The configuration for a command run from the shell (the server, the prune): an invalid value ends
 * the process with exit code 2 and the sentence that says which and why, not a stack trace.
 */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import webpush from "web-push";
import { ConfigError, loadConfig } from "./config.ts";
import { DEFAULT_LIMITS, LOAD_TEST_LIMITS } from "./limits/policy.ts";

const scratch = mkdtempSync(join(tmpdir(), "chat-config-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const dataDir = join(scratch, "data");
/** Every case starts from a valid environment (PGlite in a scratch folder), changing one variable. */
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env });
const problemWith = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
};

describe("configuration", () => {
  it("defaults", () => {
    const config = load({});
    expect(config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      dataDir,
      databaseUrl: undefined,
      redisUrl: undefined,
      allowedOrigins: [],
      secureCookies: false,
      logLevel: "info",
      trustProxy: false,
      limits: DEFAULT_LIMITS,
    });
  });

  it("PORT: a port number, 0 for any free one", () => {
    expect(load({ PORT: "3000" }).port).toBe(3000);
    expect(load({ PORT: "0" }).port).toBe(0);
    expect(load({ PORT: "" }).port).toBe(8080);
    for (const bad of ["http", "-1", "65536", "80.5", " 80", "1e3"])
      expect(problemWith({ PORT: bad })).toContain(
        `PORT must be a port number (0–65535; 0 picks a free one), got "${bad}"`,
      );
  });

  it("HOST: an IP address or a host name", () => {
    for (const good of ["127.0.0.1", "0.0.0.0", "::", "::1", "localhost", "chat.example.com", "sync-1"])
      expect(load({ HOST: good }).host).toBe(good);
    expect(load({ HOST: "" }).host).toBe("0.0.0.0");
    for (const bad of [
      "http://localhost",
      "localhost:8080",
      "[::1]",
      "my host",
      "-bad",
      "a..b",
      "under_score",
    ])
      expect(problemWith({ HOST: bad })).toContain(`HOST must be an IP address to listen on`);
    expect(problemWith({ HOST: "[::1]" })).toContain('got "[::1]"');
  });

  it("DATA_DIR: a folder PGlite can create or write to, checked only when it is used", () => {
    expect(load({ DATA_DIR: join(scratch, "new", "nested") }).dataDir).toBe(join(scratch, "new", "nested"));
    mkdirSync(join(scratch, "existing"));
    expect(load({ DATA_DIR: join(scratch, "existing") }).dataDir).toBe(join(scratch, "existing"));
    expect(loadConfig({ DATA_DIR: "relative/data", INIT_CWD: scratch }).dataDir).toBe(
      join(scratch, "relative/data"),
    );
    const file = join(scratch, "a-file");
    writeFileSync(file, "");
    expect(problemWith({ DATA_DIR: file })).toContain(
      `DATA_DIR must be a folder the server can create or write to (PGlite keeps its data there): ${file} is a file, not a folder.`,
    );
    expect(problemWith({ DATA_DIR: join(file, "below") })).toContain(`${file} is a file, not a folder`);
    // With a Postgres server, PGlite's folder is not used, but attached files are kept in it…
    expect(problemWith({ DATA_DIR: file, DATABASE_URL: "postgres://db/chat" })).toContain(
      `DATA_DIR must be a folder the server can write to (attached files are kept in ${join(file, "files")}): ${file} is a file, not a folder.`,
    );
    // …unless they are kept in a bucket: then it is not checked.
    expect(
      load({ DATA_DIR: file, DATABASE_URL: "postgres://db/chat", S3_BUCKET: "chat-files" }).databaseUrl,
    ).toBe("postgres://db/chat");
  });

  it("MAX_UPLOAD_MB: megabytes above 0", () => {
    expect(load({}).maxUploadBytes).toBe(25 * 1024 * 1024);
    expect(load({ MAX_UPLOAD_MB: "100" }).maxUploadBytes).toBe(100 * 1024 * 1024);
    expect(load({ MAX_UPLOAD_MB: "0.5" }).maxUploadBytes).toBe(512 * 1024);
    for (const bad of ["0", "-1", "lots", "1e3", "20000"])
      expect(problemWith({ MAX_UPLOAD_MB: bad })).toContain(`MAX_UPLOAD_MB must be a number of megabytes`);
  });

  it("PGLITE_CACHE_MB: the embedded database's page cache, whole megabytes", () => {
    expect(load({}).pgliteCacheMb).toBe(32);
    expect(load({ PGLITE_CACHE_MB: "128" }).pgliteCacheMb).toBe(128);
    for (const bad of ["0", "-1", "lots", "1.5", "100000"])
      expect(problemWith({ PGLITE_CACHE_MB: bad })).toContain("PGLITE_CACHE_MB must be a whole number");
  });

  it("files: in DATA_DIR/files, or in the S3 bucket S3_BUCKET names", () => {
    expect(load({}).fileStore).toEqual({ kind: "disk", dir: join(dataDir, "files") });
    expect(
      load({
        S3_BUCKET: "chat-files",
        S3_ENDPOINT: "http://minio:9000",
        S3_ACCESS_KEY_ID: "chat",
        S3_SECRET_ACCESS_KEY: "secret-key",
      }).fileStore,
    ).toEqual({
      kind: "s3",
      bucket: "chat-files",
      endpoint: "http://minio:9000",
      region: "us-east-1",
      accessKeyId: "chat",
      secretAccessKey: "secret-key",
    });
    expect(load({ S3_BUCKET: "chat-files", S3_REGION: "eu-west-1" }).fileStore).toMatchObject({
      region: "eu-west-1",
      accessKeyId: undefined,
    });
    expect(problemWith({ S3_ENDPOINT: "http://minio:9000" })).toContain(
      "S3_ENDPOINT is set but S3_BUCKET is not",
    );
    expect(problemWith({ S3_BUCKET: "Chat_Files" })).toContain("S3_BUCKET must be a bucket name");
    expect(problemWith({ S3_BUCKET: "chat", S3_ENDPOINT: "minio:9000" })).toContain(
      "S3_ENDPOINT must be a URL starting with http:// or https://",
    );
    expect(problemWith({ S3_BUCKET: "chat", S3_ACCESS_KEY_ID: "chat" })).toContain(
      "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together",
    );
  });

  it("DATABASE_URL and REDIS_URL: URLs of their scheme", () => {
    expect(load({ DATABASE_URL: "postgresql://u:p@db:5432/chat" }).databaseUrl).toBe(
      "postgresql://u:p@db:5432/chat",
    );
    expect(load({ DATABASE_URL: "" }).databaseUrl).toBeUndefined();
    expect(problemWith({ DATABASE_URL: "mysql://db/chat" })).toContain(
      'DATABASE_URL must be a URL starting with postgres:// or postgresql://, got "mysql://db/chat"',
    );
    expect(load({ REDIS_URL: "rediss://cache:6380" }).redisUrl).toBe("rediss://cache:6380");
    expect(problemWith({ REDIS_URL: "cache:6379" })).toContain(
      "REDIS_URL must be a URL starting with redis://",
    );
  });

  it("WEB_DIST: a built web app", () => {
    const dist = join(scratch, "dist");
    mkdirSync(dist);
    writeFileSync(join(dist, "index.html"), "<!doctype html>");
    expect(load({ WEB_DIST: dist }).webDist).toBe(dist);
    expect(problemWith({ WEB_DIST: scratch })).toContain(`WEB_DIST must point at a built web app`);
  });

  it("push: VAPID keys both or neither and well formed, a mailto: or https: subject, PUSH_ALLOW_LOCAL a flag", () => {
    const keys = webpush.generateVAPIDKeys();
    expect(load({}).push).toMatchObject({
      vapidKeys: null,
      allowLocal: false,
      subject: "mailto:admin@chat.invalid",
    });
    expect(
      load({
        VAPID_PUBLIC_KEY: keys.publicKey,
        VAPID_PRIVATE_KEY: keys.privateKey,
        VAPID_SUBJECT: "https://chat.example.com",
      }).push,
    ).toMatchObject({ vapidKeys: keys, subject: "https://chat.example.com" });
    expect(problemWith({ VAPID_PUBLIC_KEY: keys.publicKey })).toMatch(/go together/);
    expect(problemWith({ VAPID_PUBLIC_KEY: "abc", VAPID_PRIVATE_KEY: keys.privateKey })).toMatch(
      /VAPID_PUBLIC_KEY must be a P-256 public key/,
    );
    expect(problemWith({ VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.publicKey })).toMatch(
      /VAPID_PRIVATE_KEY must be a P-256 private key/,
    );
    expect(problemWith({ VAPID_SUBJECT: "http://chat.example.com" })).toMatch(/VAPID_SUBJECT/);
    expect(problemWith({ PUSH_ALLOW_LOCAL: "yes" })).toMatch(/PUSH_ALLOW_LOCAL/);
    expect(load({ PUSH_ALLOW_LOCAL: "true" }).push.allowLocal).toBe(true);
  });

  it("ALLOWED_ORIGINS: comma-separated origins", () => {
    expect(load({ ALLOWED_ORIGINS: "https://a.example.com, http://localhost:5173" }).allowedOrigins).toEqual([
      "https://a.example.com",
      "http://localhost:5173",
    ]);
    expect(problemWith({ ALLOWED_ORIGINS: "https://a.example.com/path" })).toContain(
      'ALLOWED_ORIGINS entries must be origins like https://chat.example.com, got "https://a.example.com/path"',
    );
  });

  it("SECURE_COOKIES and TRUST_PROXY: true or false", () => {
    expect(load({ SECURE_COOKIES: "true", TRUST_PROXY: "true" })).toMatchObject({
      secureCookies: true,
      trustProxy: true,
    });
    expect(load({ SECURE_COOKIES: "false", TRUST_PROXY: "" })).toMatchObject({
      secureCookies: false,
      trustProxy: false,
    });
    for (const bad of ["1", "yes", "TRUE", "on"]) {
      expect(problemWith({ SECURE_COOKIES: bad })).toContain(
        `SECURE_COOKIES must be "true" or "false" (true behind HTTPS), got "${bad}"`,
      );
      expect(problemWith({ TRUST_PROXY: bad })).toContain(
        `TRUST_PROXY must be "true" or "false" (true behind a reverse proxy), got "${bad}"`,
      );
    }
  });

  it("LOG_LEVEL and RATE_LIMITS: one of their words", () => {
    expect(load({ LOG_LEVEL: "silent" }).logLevel).toBe("silent");
    expect(load({ LOG_LEVEL: "", RATE_LIMITS: "" })).toMatchObject({
      logLevel: "info",
      limits: DEFAULT_LIMITS,
    });
    expect(problemWith({ LOG_LEVEL: "verbose" })).toContain("LOG_LEVEL must be one of fatal, error, warn");
    expect(load({ RATE_LIMITS: "off" }).limits).toBe(LOAD_TEST_LIMITS);
    expect(problemWith({ RATE_LIMITS: "none" })).toContain('RATE_LIMITS must be "on" or "off"');
  });

  it("METRICS_TOKEN: 16 or more visible characters, never echoed", () => {
    expect(load({}).metricsToken).toBeNull();
    expect(load({ METRICS_TOKEN: "" }).metricsToken).toBeNull();
    const token = "s3cret-token_0123456789+/=";
    expect(load({ METRICS_TOKEN: token }).metricsToken).toBe(token);
    for (const bad of [
      "short-token",
      "has a space in the token",
      "tab\tseparated-token-123",
      "ünïcödé-token-0123456789",
    ]) {
      const message = problemWith({ METRICS_TOKEN: bad });
      expect(message).toContain("METRICS_TOKEN must be at least 16 characters");
      expect(message).not.toContain(bad);
    }
    expect(problemWith({ METRICS_TOKEN: "short" })).toContain("the one given has 5 characters.");
    expect(problemWith({ METRICS_TOKEN: "a token with spaces in it" })).toContain(
      "and some that are not allowed",
    );
  });

  it("METRICS_PORT: a port number other than PORT", () => {
    expect(load({}).metricsPort).toBeNull();
    expect(load({ METRICS_PORT: "" }).metricsPort).toBeNull();
    expect(load({ METRICS_PORT: "9090" }).metricsPort).toBe(9090);
    expect(load({ PORT: "0", METRICS_PORT: "0" }).metricsPort).toBe(0);
    for (const bad of ["metrics", "-1", "65536", "90.5"])
      expect(problemWith({ METRICS_PORT: bad })).toContain(
        `METRICS_PORT must be a port number (0–65535; 0 picks a free one) for /metrics alone, got "${bad}"`,
      );
    expect(problemWith({ PORT: "9090", METRICS_PORT: "9090" })).toContain(
      "METRICS_PORT must differ from PORT (9090)",
    );
    expect(problemWith({ METRICS_PORT: "8080" })).toContain("METRICS_PORT must differ from PORT (8080)");
  });

  it("reports every problem at once", () => {
    const message = problemWith({ PORT: "x", HOST: "a b", TRUST_PROXY: "1", SECURE_COOKIES: "no" });
    expect(message.split("\n  - ")).toHaveLength(5);
    expect(message).toMatch(/^Invalid configuration:/);
  });
});

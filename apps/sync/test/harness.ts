import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import pg from "pg";
import WebSocket from "ws";
import * as Y from "yjs";
import { type Config, loadConfig } from "../src/config.ts";
import type { Database } from "../src/db/database.ts";
import { openDatabase } from "../src/db/open.ts";
import { readDocument } from "../src/docs/documentStore.ts";
import { createLogger, type Logger } from "../src/log.ts";
import { type ChatServer, startServer } from "../src/server.ts";
import { TcpProxy } from "./tcpProxy.ts";

/**
 * Storage for one test file: a fresh schema on the real Postgres when DATABASE_URL is set (as in CI),
 * else a fresh PGlite directory. Both are thrown away afterwards.
 */
export interface TestStorage {
  env: { DATABASE_URL?: string; DATA_DIR?: string };
  dispose(): Promise<void>;
}

export async function createStorage(): Promise<TestStorage> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const schema = `test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const url = new URL(base);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return {
      env: { DATABASE_URL: url.toString() },
      async dispose() {
        const client = new pg.Client({ connectionString: base });
        await client.connect();
        await client.query(`drop schema ${schema} cascade`);
        await client.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "chat-test-"));
  return { env: { DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServer extends ChatServer {
  wsUrl: string;
}

/** Test servers serve /metrics on their own port to this token (pass METRICS_TOKEN: "" for none). */
export const TEST_METRICS_TOKEN = "test-metrics-token-0123456789";

/** The server's Prometheus text, as the operator's scraper reads it. */
export async function readMetrics(server: Pick<ChatServer, "metricsUrl">): Promise<string> {
  if (!server.metricsUrl) throw new Error("this server does not serve /metrics");
  const response = await fetch(server.metricsUrl, {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/** A series' value in Prometheus text (`series` is the name with its labels), 0 when it is not there yet. */
export function metricValue(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(" ").pop()) : 0;
}

export async function startTestServer(
  storage: TestStorage,
  port = 0,
  env: Record<string, string> = {},
  overrides: Partial<Config> = {},
  log: Logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
): Promise<TestServer> {
  const config = loadConfig({
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...storage.env,
    ...env,
    PORT: String(port),
    HOST: "127.0.0.1",
    WEB_DIST: "",
  });
  const db: Database = await openDatabase(config);
  const server = await startServer({ ...config, webDist: null, ...overrides }, db, log);
  return { ...server, wsUrl: `ws://127.0.0.1:${server.port}/sync` };
}

/**
 * A server that reaches its Postgres (DATABASE_URL) through a TCP proxy the test can slow down
 * (`postgres.latencyMs`) or cut and restore: the database going away without touching the real one.
 */
export async function startServerBehindProxy(
  storage: TestStorage,
): Promise<{ server: TestServer; postgres: TcpProxy; close(): Promise<void> }> {
  const url = new URL(storage.env.DATABASE_URL!);
  const postgres = new TcpProxy(url.hostname, Number(url.port || 5432));
  url.host = `127.0.0.1:${await postgres.start()}`;
  const server = await startTestServer({ ...storage, env: { DATABASE_URL: url.toString() } });
  return {
    server,
    postgres,
    async close() {
      await postgres.restore().catch(() => {});
      await server.close();
      await postgres.close();
    },
  };
}

export interface TestUser {
  id: string;
  username: string;
  cookie: string;
}

let counter = 0;
export const uniqueName = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function api(
  server: { url: string },
  method: string,
  path: string,
  body?: unknown,
  cookie?: string,
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(cookie ? { cookie } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export async function signUp(server: { url: string }, prefix = "user"): Promise<TestUser> {
  const username = uniqueName(prefix);
  const response = await api(server, "POST", "/api/signup", { username, password: "correct horse battery" });
  if (response.status !== 201) throw new Error(`signup failed: ${JSON.stringify(response.body)}`);
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  return { id: response.body.user.id, username, cookie };
}

/** A device: one multiplexed socket carrying the person's cookie, as the browser does. */
export class Device {
  readonly socket: HocuspocusProviderWebsocket;
  readonly providers = new Map<string, HocuspocusProvider>();

  constructor(
    server: Pick<TestServer, "url" | "wsUrl">,
    user: TestUser,
    origin = new URL(server.url).origin,
    options: { maxAttempts?: number } = {},
  ) {
    const headers = { cookie: user.cookie, origin };
    class CookieWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    }
    this.socket = new HocuspocusProviderWebsocket({
      url: server.wsUrl,
      WebSocketPolyfill: CookieWebSocket,
      maxAttempts: options.maxAttempts ?? 3, // 0: keep retrying (as the app does)
    });
  }

  /** Opens a document and resolves once it is synced, or rejects with the server's refusal. */
  open(name: string, doc = new Y.Doc()): Promise<{ doc: Y.Doc; provider: HocuspocusProvider }> {
    return new Promise((resolve, reject) => {
      const provider = new HocuspocusProvider({
        websocketProvider: this.socket,
        name,
        document: doc,
        token: "session",
        sessionAwareness: true,
        onSynced: () => resolve({ doc, provider }),
        onAuthenticationFailed: ({ reason }) => reject(new Error(`refused: ${reason}`)),
      });
      provider.attach();
      this.providers.set(name, provider);
    });
  }

  destroy(): void {
    for (const provider of this.providers.values()) provider.destroy();
    this.socket.destroy();
  }
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | false,
  timeoutMs = 5_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the reason the server gives when it closes a document's connection (4403 and the like). */
export function closeReason(provider: {
  on(event: "close", cb: (e: { event: { reason: string } }) => void): unknown;
}): Promise<string> {
  return new Promise<string>((resolve) => provider.on("close", ({ event }) => resolve(event.reason)));
}

/** The document as Postgres holds it: its snapshot plus every logged update. */
export async function storedDoc(server: Pick<TestServer, "db">, name: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  for (const bytes of await readDocument(server.db, name)) Y.applyUpdate(doc, bytes);
  return doc;
}

/**
 * `user` joins the public room ("Join room"): opening a public room one is not in is only a read-only
 * preview, so a test whose person writes in someone else's public room joins it first.
 */
export async function joinRoom(server: { url: string }, user: TestUser, roomId: string): Promise<void> {
  const { status, body } = await api(server, "POST", `/api/rooms/${roomId}/join`, undefined, user.cookie);
  if (status !== 200)
    throw new Error(`join ${roomId} as ${user.username}: ${status} ${JSON.stringify(body)}`);
}

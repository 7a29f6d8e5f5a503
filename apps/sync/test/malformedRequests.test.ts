import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseUnavailable } from "../src/db/database.ts";
import type { Fields, Logger } from "../src/log.ts";
import { api, createStorage, signUp, startTestServer, type TestServer, type TestStorage } from "./harness.ts";

/**
 * Input a person's browser or a stranger can send must get a 4xx (or be ignored), never a 5xx, and
 * never take the server down; a bug is a 500, never passed off as the database being unreachable.
 */
const BAD_COOKIE = "chat_session=%E0%A4%A";
const PASSWORD = "correct horse battery";

let storage: TestStorage;
let server: TestServer;
let webDist: string;
const logged: Array<{ level: string; fields: Fields; message: string }> = [];
const log: Logger = {
  debug: (fields, message) => logged.push({ level: "debug", fields, message }),
  info: (fields, message) => logged.push({ level: "info", fields, message }),
  warn: (fields, message) => logged.push({ level: "warn", fields, message }),
  error: (fields, message) => logged.push({ level: "error", fields, message }),
};

beforeAll(async () => {
  storage = await createStorage();
  webDist = mkdtempSync(join(tmpdir(), "chat-web-"));
  writeFileSync(join(webDist, "index.html"), "<!doctype html><title>chat</title>");
  server = await startTestServer(storage, 0, {}, { webDist }, log);
});
afterAll(async () => {
  await server?.close();
  await storage?.dispose();
  rmSync(webDist, { recursive: true, force: true });
});

/** A WebSocket upgrade request; a refusal comes back as an ordinary response. */
function upgrade(
  headers: Record<string, string>,
  path = "/sync",
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}${path}`, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        origin: server.url,
        ...headers,
      },
    });
    request.on("response", (response) => {
      response.resume();
      resolve({ status: response.statusCode!, headers: response.headers });
    });
    request.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode!, headers: response.headers });
    });
    request.on("error", reject);
    request.end();
  });
}

/** Sends bytes as they are (no client library tidying them up) and returns the status line. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1", () => socket.write(text));
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n")) {
        resolve(received.split("\r\n")[0]!);
        socket.destroy();
      }
    });
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    socket.setTimeout(5_000, () => socket.destroy());
  });
}

const stillServing = async () => (await fetch(`${server.url}/healthz`)).status;

describe("a session cookie that cannot be read is ignored", () => {
  it("GET /api/session: signed out (user: null), not an outage", async () => {
    const response = await api(server, "GET", "/api/session", undefined, BAD_COOKIE);
    expect(response).toMatchObject({ status: 200, body: { user: null } });
  });

  it("POST /api/login: signs in and replaces the cookie", async () => {
    const alice = await signUp(server, "alice");
    const response = await api(
      server,
      "POST",
      "/api/login",
      { username: alice.username, password: PASSWORD },
      BAD_COOKIE,
    );
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie).toMatch(/^chat_session=[\w-]{43}$/);
    expect((await api(server, "GET", "/api/session", undefined, cookie)).body.user.id).toBe(alice.id);
  });

  it("POST /api/signup: signs up and replaces the cookie", async () => {
    const response = await api(
      server,
      "POST",
      "/api/signup",
      { username: `bob${Date.now().toString(36)}`, password: PASSWORD },
      BAD_COOKIE,
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("set-cookie")).toMatch(/^chat_session=[\w-]{43};/);
  });

  it("POST /api/logout: signed out (204), the cookie cleared", async () => {
    const response = await api(server, "POST", "/api/logout", undefined, BAD_COOKIE);
    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toMatch(/^chat_session=; .*Max-Age=0/);
  });

  it("a readable session cookie beside an unreadable one still counts", async () => {
    const carol = await signUp(server, "carol");
    const response = await api(server, "GET", "/api/session", undefined, `${BAD_COOKIE}; ${carol.cookie}`);
    expect(response.body.user?.id).toBe(carol.id);
  });

  it("the WebSocket upgrade: refused as signed out (401), not an outage", async () => {
    expect((await upgrade({ cookie: BAD_COOKIE })).status).toBe(401);
  });
});

describe("malformed addresses", () => {
  it("a path that is not valid percent-encoding is a 400 from the web app's files", async () => {
    for (const path of ["/%E0%A4%A", "/assets/%E0%A4%A.js", "/r/%"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(400);
    }
    expect((await fetch(`${server.url}/r/some-room`)).status).toBe(200);
  });

  it("the API answers 404 for a path it does not know, however it is encoded", async () => {
    expect((await api(server, "GET", "/api/%E0%A4%A")).status).toBe(404);
  });

  it("an upgrade to a request target that is not a URL is refused, and the server stays up", async () => {
    const upgradeHeaders =
      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    for (const target of ["//", "//[", "//a:99999/sync"])
      expect(await raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${upgradeHeaders}\r\n`)).toMatch(
        /^HTTP\/1\.1 4\d\d /,
      );
    expect(await stillServing()).toBe(200);
  });

  it("an upgrade with a Host header that is not a host name is served, and the server stays up", async () => {
    const dana = await signUp(server, "dana");
    const status = await raw(
      `GET /sync HTTP/1.1\r\nHost: not a host\r\nCookie: ${dana.cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    // No Origin header: a client that is not a browser, let through (http/origin.ts).
    expect(status).toBe("HTTP/1.1 101 Switching Protocols");
    expect(await stillServing()).toBe(200);
  });
});

describe("bodies of the wrong shape", () => {
  it("every API route answers them with a 4xx", async () => {
    const frank = await signUp(server, "frank");
    const room = await api(
      server,
      "POST",
      "/api/rooms",
      { name: `shapes ${Date.now().toString(36)}` },
      frank.cookie,
    );
    const routes: Array<[string, string]> = [
      ["POST", "/api/signup"],
      ["POST", "/api/login"],
      ["POST", "/api/password"],
      ["POST", "/api/rooms"],
      ["PATCH", "/api/workspace"],
      ["POST", "/api/invites"],
      ["POST", "/api/invites/check"],
      ["POST", `/api/rooms/${room.body.room.id}/members`],
      ["PATCH", `/api/rooms/${room.body.room.id}`],
    ];
    const bodies = [
      "null",
      "[]",
      '"text"',
      "42",
      "true",
      "{}",
      '{"username":{},"password":[],"name":7,"token":null}',
      "{",
      "\u0000",
    ];
    const answers: string[] = [];
    for (const [method, path] of routes)
      for (const body of bodies) {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers: { "content-type": "application/json", cookie: frank.cookie, origin: server.url },
          body,
        });
        if (response.status >= 500) answers.push(`${method} ${path} ${body}: ${response.status}`);
      }
    expect(answers).toEqual([]);
  });
});

describe("unexpected errors", () => {
  /** Makes every query fail with `error` while `work` runs. */
  async function withFailingDatabase(error: Error, work: () => Promise<void>) {
    const query = server.db.query;
    server.db.query = async () => {
      throw error;
    };
    try {
      await work();
    } finally {
      server.db.query = query;
    }
  }

  it("a bug is a 500 'something went wrong', logged once with its stack, never reported as a database outage", async () => {
    const erin = await signUp(server, "erin");
    logged.length = 0;
    await withFailingDatabase(new TypeError("a bug in a query"), async () => {
      const response = await api(server, "GET", "/api/session", undefined, erin.cookie);
      expect(response.status).toBe(500);
      expect(response.body.error).toMatch(/^Something went wrong/);
      expect(response.body.error).not.toMatch(/database/);
      expect((await upgrade({ cookie: erin.cookie })).status).toBe(500);
    });
    const errors = logged.filter((line) => line.level === "error");
    expect(errors).toHaveLength(2);
    for (const line of errors)
      expect(String(line.fields.error)).toMatch(/^TypeError: a bug in a query\n\s+at /);
  });

  it("an unreachable database is a 503 that says so", async () => {
    const erin = await signUp(server, "erin");
    await withFailingDatabase(new DatabaseUnavailable("connect ECONNREFUSED"), async () => {
      const response = await api(server, "GET", "/api/session", undefined, erin.cookie);
      expect(response.status).toBe(503);
      expect(response.body.error).toMatch(/cannot reach its database/);
      expect((await upgrade({ cookie: erin.cookie })).status).toBe(503);
    });
  });
});

describe("WebSocket upgrade refusals", () => {
  it("carry the same security headers as every other response", async () => {
    const page = await fetch(`${server.url}/api/session`);
    const expected = [
      "x-content-type-options",
      "referrer-policy",
      "x-frame-options",
      "content-security-policy",
      "cross-origin-opener-policy",
      "permissions-policy",
    ];
    const refusals = [
      await upgrade({}), // 401: no session
      await upgrade({ origin: "https://evil.example" }), // 403
      await upgrade({}, "/elsewhere"), // 404
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 403, 404]);
    for (const refusal of refusals)
      for (const name of expected) expect(refusal.headers[name], name).toBe(page.headers.get(name));
  });
});

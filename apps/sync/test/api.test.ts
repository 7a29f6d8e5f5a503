import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  readMetrics,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";

let storage: TestStorage;
let server: TestServer;
beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
});
afterAll(async () => {
  await server?.close();
  await storage?.dispose();
});

describe("accounts", () => {
  it("signs up, keeps usernames case-insensitive, signs in and out", async () => {
    const username = uniqueName("Dana");
    const signup = await api(server, "POST", "/api/signup", { username, password: "long enough pass" });
    expect(signup.status).toBe(201);
    expect(signup.body.user.username).toBe(username.toLowerCase());
    expect(signup.headers.get("set-cookie")).toMatch(
      /^chat_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax/,
    );

    const taken = await api(server, "POST", "/api/signup", {
      username: username.toUpperCase(),
      password: "long enough pass",
    });
    expect(taken).toMatchObject({ status: 409, body: { error: expect.stringMatching(/is taken/) } });

    const wrong = await api(server, "POST", "/api/login", { username, password: "not the password" });
    expect(wrong).toMatchObject({ status: 401, body: { error: "Wrong username or password." } });
    const unknown = await api(server, "POST", "/api/login", {
      username: "nobody-here",
      password: "whatever1",
    });
    expect(unknown.body.error).toBe(wrong.body.error);

    const login = await api(server, "POST", "/api/login", { username, password: "long enough pass" });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    expect((await api(server, "GET", "/api/session", undefined, cookie)).body.user.username).toBe(
      username.toLowerCase(),
    );
  });

  it("explains what is wrong with bad input", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ username: "a", password: "long enough" }, /at least 2 characters/],
      [{ username: "bad name!", password: "long enough" }, /letters, digits/],
      [{ username: uniqueName("ok"), password: "short" }, /at least 8 characters/],
      [{}, /Enter a username and a password/],
    ];
    for (const [body, message] of cases) {
      const response = await api(server, "POST", "/api/signup", body);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(message);
    }
    const notJson = await fetch(`${server.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{oops",
    });
    expect(notJson.status).toBe(400);
    const form = await fetch(`${server.url}/api/signup`, { method: "POST", body: "username=a&password=b" });
    expect(form.status).toBe(415);
    const huge = await fetch(`${server.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "x".repeat(100_000), password: "y" }),
    });
    expect(huge.status).toBe(413);
    const crossSite = await fetch(`${server.url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: "{}",
    });
    expect(crossSite.status).toBe(403);
    expect((await api(server, "GET", "/api/nothing")).status).toBe(404);
    expect(await api(server, "GET", "/api/session")).toMatchObject({ status: 200, body: { user: null } });
  });
});

describe("rooms", () => {
  it("creates rooms with unique names and refuses bad ones", async () => {
    const alice = await signUp(server, "alice");
    const name = uniqueName("Design ");
    const created = await api(server, "POST", "/api/rooms", { name: `  ${name}  ` }, alice.cookie);
    expect(created.status).toBe(201);
    expect(created.body.room).toMatchObject({ name, kind: "channel", createdBy: alice.id });
    const again = await api(server, "POST", "/api/rooms", { name: name.toUpperCase() }, alice.cookie);
    expect(again).toMatchObject({ status: 409, body: { error: expect.stringMatching(/already exists/) } });
    expect((await api(server, "POST", "/api/rooms", { name: "   " }, alice.cookie)).body.error).toMatch(
      /cannot be empty/,
    );
    expect(
      (await api(server, "POST", "/api/rooms", { name: "x".repeat(81) }, alice.cookie)).body.error,
    ).toMatch(/at most 80/);
    expect((await api(server, "POST", "/api/rooms", { name: "x".repeat(80) }, alice.cookie)).status).toBe(
      201,
    );
    expect((await api(server, "POST", "/api/rooms", { name: uniqueName("anon") })).status).toBe(401);
    const secret = await api(
      server,
      "POST",
      "/api/rooms",
      { name: uniqueName("secret "), private: true },
      alice.cookie,
    );
    expect(secret.body.room.kind).toBe("private");
  });
});

describe("operations", () => {
  it("answers health, readiness and Prometheus metrics", async () => {
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe("ok");
    const ready = await api(server, "GET", "/readyz");
    expect(ready).toMatchObject({
      status: 200,
      body: { ready: true, postgres: "ok", redis: "not configured" },
    });
    const metrics = await readMetrics(server);
    for (const name of [
      "chat_websockets",
      "chat_loaded_documents",
      "chat_messages_total",
      "chat_store_update_seconds_bucket",
      "process_resident_memory_bytes",
    ])
      expect(metrics).toContain(name);
  });
});

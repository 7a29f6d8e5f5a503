import { ACCOUNT_DEACTIVATED_REASON } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordVerifications } from "../src/auth/passwords.ts";
import { DEFAULT_LIMITS } from "../src/limits/policy.ts";
import {
  api,
  createStorage,
  Device,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
} from "./harness.ts";

/**
 * Security state shared by two instances of one workspace (one Postgres, one Redis): sign-in
 * lockouts, per-account limits and revoked sessions' sockets. Runs when DATABASE_URL and REDIS_URL
 * are set, as .ci/run does (PGlite is one process's only).
 */
const enabled = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const PASSWORD = "correct horse battery";

describe.runIf(enabled)("limits and revocations across instances", () => {
  let storage: TestStorage;
  let one: TestServer;
  let two: TestServer;
  const devices: Device[] = [];

  beforeAll(async () => {
    storage = await createStorage();
    const overrides = {
      limits: {
        ...DEFAULT_LIMITS,
        account: { ...DEFAULT_LIMITS.account, apiWritesPerMinute: 2 },
        signIn: { ...DEFAULT_LIMITS.signIn, freeFailuresPerUsername: 2, firstLockoutMs: 30_000 },
      },
    };
    const env = { REDIS_URL: process.env.REDIS_URL! };
    one = await startTestServer(storage, 0, env, overrides);
    two = await startTestServer(storage, 0, env, overrides);
  });
  afterAll(async () => {
    for (const d of devices) d.destroy();
    await one?.close();
    await two?.close();
    await storage?.dispose();
  });

  it("failed sign-ins on one instance lock the username on the other", async () => {
    const alice = await signUp(one, "alice");
    const wrong = { username: alice.username, password: "not the password" };
    expect((await api(one, "POST", "/api/login", wrong)).status).toBe(401);
    expect((await api(two, "POST", "/api/login", wrong)).status).toBe(429);
    const locked = await api(one, "POST", "/api/login", { username: alice.username, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(20);
  });

  it("a burst of concurrent guesses spread over both instances gets no more password checks than the policy allows", async () => {
    const dana = await signUp(one, "dana");
    const before = passwordVerifications();
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        api(i % 2 === 0 ? one : two, "POST", "/api/login", {
          username: dana.username,
          password: i === 31 ? PASSWORD : "not the password",
        }).then((response) => response.status),
      ),
    );
    // Both instances run in this process, so the count covers both.
    expect(passwordVerifications() - before).toBeLessThanOrEqual(2);
    expect(statuses[31]).toBe(429);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(58);
  });

  it("the per-account allowance is one allowance, whichever instance is asked", async () => {
    const bob = await signUp(one, "bob");
    const room = (server: TestServer) =>
      api(server, "POST", "/api/rooms", { name: `r${Math.random().toString(36).slice(2, 10)}` }, bob.cookie);
    expect((await room(one)).status).toBe(201);
    expect((await room(two)).status).toBe(201);
    expect((await room(one)).status).toBe(429);
  });

  it("a password change on one instance closes the other sessions' sockets on the other", async () => {
    const carol = await signUp(one, "carol");
    const other = await api(two, "POST", "/api/login", { username: carol.username, password: PASSWORD });
    const otherCookie = other.headers.get("set-cookie")!.split(";")[0]!;
    const device = new Device(two, { ...carol, cookie: otherCookie }, undefined, { maxAttempts: 1 });
    devices.push(device);
    await device.open("directory");
    const closed = new Promise<number>((resolve) =>
      device.socket.on("close", ({ event }: { event: { code: number } }) => resolve(event.code)),
    );
    const changed = await api(
      one,
      "POST",
      "/api/password",
      { currentPassword: PASSWORD, newPassword: "another passphrase" },
      carol.cookie,
    );
    expect(changed.body).toEqual({ signedOutSessions: 1 });
    expect(await closed).toBe(4401);
  });

  it("deactivating a person through one instance closes their open socket on the other at once, saying why", async () => {
    // An admin of this workspace (the first account's password and lockouts belong to earlier tests).
    const boss = await signUp(one, "boss");
    await one.db.query("update users set is_admin = true where id = $1", [boss.id]);
    const adminCookie = boss.cookie;
    const dan = await signUp(one, "dan");
    const onTwo = await api(two, "POST", "/api/login", { username: dan.username, password: PASSWORD });
    const device = new Device(
      two,
      { ...dan, cookie: onTwo.headers.get("set-cookie")!.split(";")[0]! },
      undefined,
      { maxAttempts: 1 },
    );
    devices.push(device);
    await device.open("directory");
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      device.socket.on("close", ({ event }: { event: { code: number; reason: string } }) =>
        resolve({ code: event.code, reason: event.reason }),
      ),
    );
    const done = await api(one, "PATCH", `/api/admin/people/${dan.id}`, { deactivated: true }, adminCookie);
    expect(done.status).toBe(200);
    expect(await closed).toEqual({ code: 4401, reason: ACCOUNT_DEACTIVATED_REASON });
    expect((await api(two, "GET", "/api/session", undefined, dan.cookie)).body.user).toBeNull();
  });
});

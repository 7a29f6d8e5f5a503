import { appendMessage, createMessage, listMessages, segmentDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { passwordVerifications } from "../src/auth/passwords.ts";
import { readDocument } from "../src/docs/documentStore.ts";
import { DEFAULT_LIMITS, type LimitPolicy } from "../src/limits/policy.ts";
import {
  api,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";

/** Small limits, so each one is reached in a few requests. */
const limits: LimitPolicy = {
  socket: {
    framesPerSecond: 5,
    frameBurst: 40,
    bytesPerSecond: 1_000_000,
    byteBurst: 4_000_000,
    perAccount: 3,
  },
  presence: DEFAULT_LIMITS.presence,
  account: { apiWritesPerMinute: 3, messagesPerMinute: 3, messagesPerUpdate: 500, uploadsPerMinute: 3 },
  documents: DEFAULT_LIMITS.documents,
  signIn: {
    ...DEFAULT_LIMITS.signIn,
    freeFailuresPerUsername: 3,
    freeFailuresPerAddress: 6,
    firstLockoutMs: 1_500,
  },
};

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
beforeAll(async () => {
  storage = await createStorage();
  // Every test here runs from 127.0.0.1: each counts addresses through its own X-Forwarded-For.
  server = await startTestServer(storage, 0, {}, { limits, trustProxy: true });
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

let addressCounter = 1;
const newAddress = () => `198.51.100.${addressCounter++}`;

async function login(username: string, password: string, address: string) {
  const response = await fetch(`${server.url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `6.6.6.6, ${address}` },
    body: JSON.stringify({ username, password }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as { error?: string },
  };
}

describe("failed sign-ins slow down", () => {
  it("per username: free attempts, then a lockout that doubles, refusing even the right password", async () => {
    const alice = await signUp(server, "alice");
    const address = newAddress();
    for (let i = 0; i < 2; i++)
      expect((await login(alice.username, "wrong password", address)).status).toBe(401);
    const third = await login(alice.username, "wrong password", address);
    expect(third.status).toBe(429);
    expect(third.body.error).toMatch(
      /^Wrong username or password, and too many failed sign-ins\. Try again in 2 seconds\.$/,
    );
    // Locked: the right password is not even checked, from any address.
    const locked = await login(alice.username, "correct horse battery", newAddress());
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatch(
      /Too many failed sign-ins for this username\. Try again in \d seconds?\./,
    );
    expect(Number(locked.retryAfter)).toBeGreaterThanOrEqual(1);

    // After the lockout one more failure locks for twice as long.
    await new Promise((r) => setTimeout(r, 1_600));
    const fourth = await login(alice.username, "wrong password", address);
    expect(fourth.status).toBe(429);
    expect(Number(fourth.retryAfter)).toBe(3);

    await new Promise((r) => setTimeout(r, 3_100));
    const ok = await login(alice.username, "correct horse battery", address);
    expect(ok.status).toBe(200);
    // Success clears the username's count: the next mistake is free again.
    expect((await login(alice.username, "wrong password", newAddress())).status).toBe(401);
  });

  it("per address: many usernames from one address are slowed down too", async () => {
    const address = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await login(uniqueName("ghost"), "whatever1", address)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const bob = await signUp(server, "bob");
    const refused = await login(bob.username, "correct horse battery", address);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatch(/from your network/);
    // Another address is not affected.
    expect((await login(bob.username, "correct horse battery", newAddress())).status).toBe(200);
  });

  it("a client cannot pick its address: only the last X-Forwarded-For entry counts", async () => {
    const address = newAddress();
    for (let i = 0; i < 5; i++) await login(uniqueName("ghost"), "whatever1", address);
    const response = await fetch(`${server.url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": `1.2.3.4, ${address}` },
      body: JSON.stringify({ username: uniqueName("ghost"), password: "whatever1" }),
    });
    expect(response.status).toBe(429);
  });
});

describe("concurrent sign-in attempts cannot outrun the lockout", () => {
  /** Sends every attempt at once and returns their statuses, in the order sent. */
  const burst = (attempts: Array<{ username: string; password: string }>, address: string) =>
    Promise.all(
      attempts.map(({ username, password }) => login(username, password, address).then((r) => r.status)),
    );

  it("60 concurrent wrong passwords for one username: no more password checks than the policy allows", async () => {
    const alice = await signUp(server, "alice");
    const before = passwordVerifications();
    const statuses = await burst(
      Array.from({ length: 60 }, () => ({ username: alice.username, password: "wrong password" })),
      newAddress(),
    );
    expect(passwordVerifications() - before).toBeLessThanOrEqual(limits.signIn.freeFailuresPerUsername);
    expect(statuses.filter((s) => s === 401)).toHaveLength(limits.signIn.freeFailuresPerUsername - 1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(60 - (limits.signIn.freeFailuresPerUsername - 1));
  });

  it("60 concurrent wrong passwords for as many usernames from one address: bounded per address", async () => {
    const before = passwordVerifications();
    const statuses = await burst(
      Array.from({ length: 60 }, () => ({ username: uniqueName("ghost"), password: "wrong password" })),
      newAddress(),
    );
    expect(passwordVerifications() - before).toBeLessThanOrEqual(limits.signIn.freeFailuresPerAddress);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(
      60 - limits.signIn.freeFailuresPerAddress,
    );
  });

  it("the right password in a burst of wrong ones is refused once the burst is over the policy", async () => {
    const bob = await signUp(server, "bob");
    const before = passwordVerifications();
    const attempts = Array.from({ length: 60 }, (_, i) => ({
      username: bob.username,
      password: i === 30 ? "correct horse battery" : "wrong password",
    }));
    const statuses = await burst(attempts, newAddress());
    expect(statuses[30]).toBe(429);
    expect(statuses).not.toContain(200);
    expect(passwordVerifications() - before).toBeLessThanOrEqual(limits.signIn.freeFailuresPerUsername);
  });

  it("successful sign-ins do not use up their address's allowance", async () => {
    const carol = await signUp(server, "carol");
    const address = newAddress();
    for (let i = 0; i < limits.signIn.freeFailuresPerAddress + 2; i++)
      expect((await login(carol.username, "correct horse battery", address)).status).toBe(200);
    // Nor do requests whose password was never checked.
    for (let i = 0; i < limits.signIn.freeFailuresPerAddress + 2; i++)
      expect((await login(carol.username, undefined as unknown as string, address)).status).toBe(400);
    expect((await login(carol.username, "wrong password", address)).status).toBe(401);
  });
});

describe("per-account limits", () => {
  it("state-changing API requests: 429 with Retry-After once over the allowance", async () => {
    const carol = await signUp(server, "carol");
    for (let i = 0; i < 3; i++)
      expect((await api(server, "POST", "/api/rooms", { name: uniqueName("r") }, carol.cookie)).status).toBe(
        201,
      );
    const over = await api(server, "POST", "/api/rooms", { name: uniqueName("r") }, carol.cookie);
    expect(over.status).toBe(429);
    expect(over.body.error).toMatch(
      /You are making changes too quickly\. Try again in (\d+ seconds?|1 minute)\./,
    );
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    // Someone else is not affected.
    const dave = await signUp(server, "dave");
    expect((await api(server, "POST", "/api/rooms", { name: uniqueName("r") }, dave.cookie)).status).toBe(
      201,
    );
  });

  it("messages: over the allowance the socket closes with 4429 and the message stays pending", async () => {
    const erin = await signUp(server, "erin");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("talk") }, erin.cookie);
    const name = segmentDocName(room.body.room.id, 0);
    const device = new Device(server, erin, undefined, { maxAttempts: 1 });
    devices.push(device);
    const { doc, provider } = await device.open(name);
    for (let i = 0; i < 3; i++) {
      appendMessage(doc, createMessage(erin.id, `message ${i}`));
      await eventually(() => !provider.hasUnsyncedChanges, 5_000, `message ${i} stored`);
    }
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      device.socket.on("close", ({ event }: { event: { code: number; reason: string } }) => resolve(event)),
    );
    appendMessage(doc, createMessage(erin.id, "one too many"));
    const event = await closed;
    expect(event.code).toBe(4429);
    expect(event.reason).toMatch(/^rate-limited: too many messages, wait (\d+ seconds?|1 minute)$/);
    const pending = listMessages(doc).find((m) => m.text === "one too many");
    expect(pending).toBeDefined();
    expect(pending?.seq ?? null).toBeNull();
    // Only the three accepted messages were stored, never the fourth.
    expect(await storedTexts(name)).toEqual(["message 0", "message 1", "message 2"]);
  });
});

/** The messages Postgres holds for a document: its snapshot plus every logged update, decoded. */
async function storedTexts(name: string): Promise<string[]> {
  const rebuilt = new Y.Doc();
  for (const bytes of await readDocument(server.db, name)) Y.applyUpdate(rebuilt, bytes);
  return listMessages(rebuilt).map((m) => m.text);
}

describe("per-connection limits", () => {
  it("an account holds a bounded number of open sockets; closing one frees its place", async () => {
    const gina = await signUp(server, "gina");
    const upgrade = () =>
      new Promise<{ status: number; ws?: WebSocket }>((resolve) => {
        const ws = new WebSocket(server.wsUrl, { headers: { cookie: gina.cookie } });
        ws.on("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0 }));
        ws.on("open", () => resolve({ status: 101, ws }));
        ws.on("error", () => {});
      });
    const open = [await upgrade(), await upgrade(), await upgrade()];
    expect(open.map((o) => o.status)).toEqual([101, 101, 101]);
    expect((await upgrade()).status).toBe(429);
    // Someone else is not affected.
    const hank = await signUp(server, "hank");
    const other = new Device(server, hank);
    devices.push(other);
    await expect(other.open("directory")).resolves.toBeTruthy();
    open[0]!.ws!.close();
    await eventually(
      async () => {
        const again = await upgrade();
        again.ws?.close();
        return again.status === 101;
      },
      5_000,
      "a place freed",
    );
    for (const o of open) o.ws?.close();
  });

  it("a flood of frames closes that socket with 4429; other sockets keep working", async () => {
    const frank = await signUp(server, "frank");
    const flood = new WebSocket(server.wsUrl, { headers: { cookie: frank.cookie } });
    await new Promise((resolve) => flood.on("open", resolve));
    const closed = new Promise<[number, string]>((resolve) =>
      flood.on("close", (code, reason) => resolve([code, reason.toString()])),
    );
    // Awareness queries for the directory: harmless frames, just too many of them.
    const frame = Buffer.from([9, ...Buffer.from("directory"), 3]);
    for (let i = 0; i < 200; i++) flood.send(frame);
    const [code, reason] = await closed;
    expect(code).toBe(4429);
    expect(reason).toBe("rate-limited: too many messages on this connection, slow down");

    const calm = new Device(server, frank);
    devices.push(calm);
    await expect(calm.open("directory")).resolves.toBeTruthy();
  });
});

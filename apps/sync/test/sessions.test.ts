import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  Device,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
} from "./harness.ts";

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

const PASSWORD = "correct horse battery";
const cookieOf = (response: { headers: Headers }) => response.headers.get("set-cookie")!.split(";")[0]!;

/** A device with the directory open; resolves with the close code the server sends its socket. */
async function connected(user: { id: string; username: string; cookie: string }) {
  const device = new Device(server, user, undefined, { maxAttempts: 1 });
  devices.push(device);
  await device.open("directory");
  const closed = new Promise<number>((resolve) =>
    device.socket.on("close", ({ event }: { event: { code: number } }) => resolve(event.code)),
  );
  return { device, closed };
}

describe("session rotation", () => {
  it("signing in issues a new token and revokes the one the browser presented", async () => {
    const alice = await signUp(server, "alice");
    const old = await connected(alice);
    const login = await api(
      server,
      "POST",
      "/api/login",
      { username: alice.username, password: PASSWORD },
      alice.cookie,
    );
    expect(login.status).toBe(200);
    const fresh = cookieOf(login);
    expect(fresh).not.toBe(alice.cookie);
    expect(await old.closed).toBe(4401);
    expect((await api(server, "GET", "/api/session", undefined, alice.cookie)).body.user).toBeNull();
    expect((await api(server, "GET", "/api/session", undefined, fresh)).body.user).not.toBeNull();
  });

  it("a token fixed in the browser before sign-in is worthless after it", async () => {
    const alice = await signUp(server, "alice");
    // An attacker's planted (made-up) cookie is simply replaced.
    const login = await api(
      server,
      "POST",
      "/api/login",
      { username: alice.username, password: PASSWORD },
      "chat_session=planted-by-someone",
    );
    expect(login.status).toBe(200);
    expect(cookieOf(login)).toMatch(/^chat_session=[\w-]{43}$/);
    expect(cookieOf(login)).not.toContain("planted");
  });
});

describe("password change", () => {
  it("needs the current password, signs out every other session and closes its sockets", async () => {
    const alice = await signUp(server, "alice");
    const other = await api(server, "POST", "/api/login", { username: alice.username, password: PASSWORD });
    const otherCookie = cookieOf(other);
    const otherDevice = await connected({ ...alice, cookie: otherCookie });
    const thisDevice = await connected(alice);
    let thisClosed = false;
    void thisDevice.closed.then(() => {
      thisClosed = true;
    });

    const wrong = await api(
      server,
      "POST",
      "/api/password",
      { currentPassword: "not it at all", newPassword: "a new passphrase" },
      alice.cookie,
    );
    expect(wrong).toMatchObject({ status: 401, body: { error: "The current password is not right." } });
    const weak = await api(
      server,
      "POST",
      "/api/password",
      { currentPassword: PASSWORD, newPassword: "short" },
      alice.cookie,
    );
    expect(weak.status).toBe(400);
    expect(weak.body.error).toMatch(/at least 8 characters/);
    expect(
      (await api(server, "POST", "/api/password", { newPassword: "a new passphrase" }, alice.cookie)).status,
    ).toBe(400);
    expect(
      (
        await api(server, "POST", "/api/password", {
          currentPassword: PASSWORD,
          newPassword: "x new passphrase",
        })
      ).status,
    ).toBe(401);

    const changed = await api(
      server,
      "POST",
      "/api/password",
      { currentPassword: PASSWORD, newPassword: "a new passphrase" },
      alice.cookie,
    );
    expect(changed).toMatchObject({ status: 200, body: { signedOutSessions: 1 } });
    expect(await otherDevice.closed).toBe(4401);
    expect((await api(server, "GET", "/api/session", undefined, otherCookie)).body.user).toBeNull();
    // This device stays signed in and connected.
    expect((await api(server, "GET", "/api/session", undefined, alice.cookie)).body.user).not.toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    expect(thisClosed).toBe(false);

    expect(
      (await api(server, "POST", "/api/login", { username: alice.username, password: PASSWORD })).status,
    ).toBe(401);
    expect(
      (await api(server, "POST", "/api/login", { username: alice.username, password: "a new passphrase" }))
        .status,
    ).toBe(200);
  });

  it("signing out closes that session's sockets (4401) and only those", async () => {
    const alice = await signUp(server, "alice");
    const second = cookieOf(
      await api(server, "POST", "/api/login", { username: alice.username, password: PASSWORD }),
    );
    const first = await connected(alice);
    const other = await connected({ ...alice, cookie: second });
    let otherClosed = false;
    void other.closed.then(() => {
      otherClosed = true;
    });
    expect((await api(server, "POST", "/api/logout", undefined, alice.cookie)).status).toBe(204);
    expect(await first.closed).toBe(4401);
    await new Promise((r) => setTimeout(r, 200));
    expect(otherClosed).toBe(false);
    expect((await api(server, "GET", "/api/session", undefined, second)).body.user).not.toBeNull();
  });
});

describe("cross-site request forgery", () => {
  const post = (path: string, headers: Record<string, string>, body = "{}") =>
    fetch(`${server.url}${path}`, { method: "POST", headers, body }).then((r) => r.status);

  it("refuses state-changing requests another site could make a browser send", async () => {
    const alice = await signUp(server, "alice");
    const credentials = JSON.stringify({ username: alice.username, password: PASSWORD });
    const json = { "content-type": "application/json" };
    // Login CSRF: another site signing the victim's browser in (to an account the attacker controls).
    expect(await post("/api/login", { ...json, origin: "https://evil.example" }, credentials)).toBe(403);
    expect(await post("/api/login", { ...json, "sec-fetch-site": "cross-site" }, credentials)).toBe(403);
    // A sibling subdomain is "same-site": SameSite=Lax cookies go along, so it is refused too.
    expect(
      await post(
        "/api/login",
        { ...json, "sec-fetch-site": "same-site", origin: "https://evil.localhost" },
        credentials,
      ),
    ).toBe(403);
    // A plain HTML form (no preflight) can only send form or text bodies: refused as not JSON.
    expect(
      await post(
        "/api/login",
        { "content-type": "application/x-www-form-urlencoded" },
        "username=a&password=b",
      ),
    ).toBe(415);
    expect(await post("/api/login", { "content-type": "text/plain" }, credentials)).toBe(415);
    expect(
      await post("/api/rooms", { "content-type": "text/plain", cookie: alice.cookie }, '{"name":"x"}'),
    ).toBe(415);
    for (const path of ["/api/logout", "/api/password", "/api/rooms", "/api/invites", "/api/signup"])
      expect(await post(path, { ...json, cookie: alice.cookie, origin: "https://evil.example" }), path).toBe(
        403,
      );

    // The app's own requests pass.
    const own = new URL(server.url).origin;
    expect(
      await post("/api/login", { ...json, origin: own, "sec-fetch-site": "same-origin" }, credentials),
    ).toBe(200);
  });

  it("sets the session cookie HttpOnly and SameSite=Lax", async () => {
    const response = await api(server, "POST", "/api/login", {
      username: (await signUp(server, "bob")).username,
      password: PASSWORD,
    });
    expect(response.headers.get("set-cookie")).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
  });
});

import {
  ACCOUNT_DEACTIVATED_REASON,
  appendMessage,
  createMessage,
  deleteMessage,
  getIndexedRoom,
  listMessages,
  listUsers,
  messageEdits,
  parseCloseReason,
  segmentDocName,
  sequenceOf,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { LastSeen } from "../src/auth/lastSeen.ts";
import { createLogger } from "../src/log.ts";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

/**
 * Issue 21, "the admin runs the workspace": People (roles, last activity), deactivation, reset
 * links, the audit table, the admin's powers over rooms and messages, and every refusal around them.
 */
let storage: TestStorage;
let server: TestServer;
let admin: TestUser;
const devices: Device[] = [];
const PASSWORD = "correct horse battery";

beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
  // The first account of the workspace is its admin.
  admin = await signUp(server, "admin");
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

const cookieOf = (response: { headers: Headers }) => response.headers.get("set-cookie")!.split(";")[0]!;
const device = (user: TestUser) => {
  const d = new Device(server, user, undefined, { maxAttempts: 1 });
  devices.push(d);
  return d;
};
/** Resolves with the code and reason the server closes the device's socket with. */
const socketClosed = (d: Device) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    d.socket.on("close", ({ event }: { event: { code: number; reason: string } }) =>
      resolve({ code: event.code, reason: event.reason }),
    ),
  );
/** The HTTP status the WebSocket upgrade answers with this cookie (101 when it is taken). */
const upgradeStatus = (cookie: string) =>
  new Promise<number>((resolve) => {
    const ws = new WebSocket(server.wsUrl, { headers: { cookie, origin: server.url } });
    ws.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      resolve(101);
      ws.close();
    });
    ws.on("error", () => {});
  });
const person = async (username: string) =>
  (await api(server, "GET", "/api/admin/people", undefined, admin.cookie)).body.people.find(
    (p: { username: string }) => p.username === username,
  );
const audit = async () =>
  (await api(server, "GET", "/api/admin/audit", undefined, admin.cookie)).body.entries as Array<{
    action: string;
    summary: string;
    actor: { username: string } | null;
  }>;

describe("only the admin", () => {
  it("a non-admin calling any admin endpoint is refused (403), without a session 401, and nothing changes", async () => {
    const bob = await signUp(server, "bob");
    const carol = await signUp(server, "carol");
    const calls: Array<[string, string, unknown?]> = [
      ["GET", "/api/admin/people"],
      ["GET", "/api/admin/audit"],
      ["PATCH", `/api/admin/people/${carol.id}`, { isAdmin: true }],
      ["PATCH", `/api/admin/people/${carol.id}`, { deactivated: true }],
      ["POST", `/api/admin/people/${carol.id}/password-reset`, {}],
      ["DELETE", `/api/admin/rooms/${"a".repeat(16)}/segments/0/messages/${"b".repeat(16)}`],
    ];
    for (const [method, path, body] of calls) {
      const refused = await api(server, method, path, body, bob.cookie);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.error).toMatch(/Only the workspace admin/);
      expect((await api(server, method, path, body)).status, `${method} ${path} signed out`).toBe(401);
    }
    const carolNow = await person(carol.username);
    expect(carolNow).toMatchObject({ isAdmin: false, deactivated: false });
    expect((await api(server, "GET", "/api/session", undefined, carol.cookie)).body.user).not.toBeNull();
  });
});

describe("People", () => {
  it("lists every account with its role and last activity", async () => {
    const dave = await signUp(server, "dave");
    // A signed-in request is activity.
    await api(server, "GET", "/api/invites", undefined, dave.cookie);
    const { status, body } = await api(server, "GET", "/api/admin/people", undefined, admin.cookie);
    expect(status).toBe(200);
    const me = body.people.find((p: { id: string }) => p.id === admin.id);
    expect(me).toMatchObject({ username: admin.username, isAdmin: true, deactivated: false });
    const daveRow = body.people.find((p: { id: string }) => p.id === dave.id);
    expect(daveRow).toMatchObject({ username: dave.username, isAdmin: false, deactivated: false });
    await eventually(async () => (await person(dave.username)).lastSeenAt !== null, 5_000, "dave's activity");
    expect((await person(dave.username)).lastSeenAt).toBeGreaterThanOrEqual(daveRow.createdAt);
  });

  it("the admin makes another person admin, who may then act as one; the last admin cannot demote or deactivate themselves", async () => {
    const erin = await signUp(server, "erin");
    // Alone as admin: refused, and nothing changes.
    const demoteSelf = await api(
      server,
      "PATCH",
      `/api/admin/people/${admin.id}`,
      { isAdmin: false },
      admin.cookie,
    );
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body.error).toMatch(/last admin/);
    const deactivateSelf = await api(
      server,
      "PATCH",
      `/api/admin/people/${admin.id}`,
      { deactivated: true },
      admin.cookie,
    );
    expect(deactivateSelf.status).toBe(409);
    expect(deactivateSelf.body.error).toMatch(/last admin/);
    expect(await person(admin.username)).toMatchObject({ isAdmin: true, deactivated: false });
    expect((await api(server, "GET", "/api/session", undefined, admin.cookie)).body.user.isAdmin).toBe(true);

    const made = await api(server, "PATCH", `/api/admin/people/${erin.id}`, { isAdmin: true }, admin.cookie);
    expect(made).toMatchObject({ status: 200, body: { person: { id: erin.id, isAdmin: true } } });
    expect((await api(server, "GET", "/api/session", undefined, erin.cookie)).body.user.isAdmin).toBe(true);
    expect((await api(server, "GET", "/api/admin/people", undefined, erin.cookie)).status).toBe(200);

    // With two admins, erin may step down; then she is the last one no longer, and is refused again.
    expect(
      (await api(server, "PATCH", `/api/admin/people/${erin.id}`, { isAdmin: false }, erin.cookie)).status,
    ).toBe(200);
    expect((await api(server, "GET", "/api/admin/people", undefined, erin.cookie)).status).toBe(403);
    expect(
      (await api(server, "PATCH", `/api/admin/people/${admin.id}`, { isAdmin: false }, erin.cookie)).status,
    ).toBe(403);

    // Bad bodies: 400, nothing changed.
    for (const body of [{}, { isAdmin: "yes" }, { isAdmin: true, deactivated: false }, { role: "admin" }])
      expect(
        (await api(server, "PATCH", `/api/admin/people/${erin.id}`, body, admin.cookie)).status,
        JSON.stringify(body),
      ).toBe(400);
    expect(
      (await api(server, "PATCH", `/api/admin/people/${"z".repeat(16)}`, { isAdmin: true }, admin.cookie))
        .status,
    ).toBe(404);
    expect(await person(erin.username)).toMatchObject({ isAdmin: false });

    const entries = await audit();
    expect(entries.map((e) => e.summary)).toEqual(
      expect.arrayContaining([
        `${admin.username} made ${erin.username} an admin`,
        `${erin.username} removed ${erin.username} as admin`,
      ]),
    );
  });
});

describe("the last admin", () => {
  it("two admins demoting and deactivating each other at the same moment leave one active admin", async () => {
    // A workspace of its own: its admins are only these two.
    const own = await createStorage();
    const other = await startTestServer(own);
    try {
      const first = await signUp(other, "first");
      const second = await signUp(other, "second");
      expect(
        (await api(other, "PATCH", `/api/admin/people/${second.id}`, { isAdmin: true }, first.cookie)).status,
      ).toBe(200);
      const results = await Promise.all([
        api(other, "PATCH", `/api/admin/people/${first.id}`, { isAdmin: false }, first.cookie),
        api(other, "PATCH", `/api/admin/people/${second.id}`, { isAdmin: false }, second.cookie),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const deactivations = await Promise.all([
        api(other, "PATCH", `/api/admin/people/${first.id}`, { deactivated: true }, first.cookie),
        api(other, "PATCH", `/api/admin/people/${second.id}`, { deactivated: true }, second.cookie),
      ]);
      // The remaining admin may not deactivate themselves; the other is no admin any more (403).
      expect(deactivations.map((r) => r.status).sort()).toEqual([403, 409]);
      const [admins] = await other.db.query<{ count: number }>(
        "select count(*)::int as count from users where is_admin and deactivated_at is null",
      );
      expect(admins!.count).toBe(1);
    } finally {
      await other.close();
      await own.dispose();
    }
  });
});

describe("deactivation", () => {
  it("signs the person out at once, refuses their cookie, socket and sign-in, shows them as deactivated, keeps their messages; reactivation lets them sign in again", async () => {
    const frank = await signUp(server, "frank");
    const secondCookie = cookieOf(
      await api(server, "POST", "/api/login", { username: frank.username, password: PASSWORD }),
    );
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("deact ") }, admin.cookie);
    const roomId = body.room.id as string;
    expect(
      (await api(server, "POST", `/api/rooms/${roomId}/members`, { username: frank.username }, admin.cookie))
        .status,
    ).toBe(201);
    const franks = device(frank);
    const segment = await franks.open(segmentDocName(roomId, 0));
    const message = createMessage(frank.id, "still here after I go");
    appendMessage(segment.doc, message);
    await eventually(() => sequenceOf(segment.doc, message.id) !== null, 5_000, "frank's message numbered");
    const closed = socketClosed(franks);
    const watcher = device(admin);
    const directory = await watcher.open("directory");

    const done = await api(
      server,
      "PATCH",
      `/api/admin/people/${frank.id}`,
      { deactivated: true },
      admin.cookie,
    );
    expect(done).toMatchObject({ status: 200, body: { person: { id: frank.id, deactivated: true } } });

    // His open socket closes at once, saying why.
    expect(await closed).toEqual({ code: 4401, reason: ACCOUNT_DEACTIVATED_REASON });
    // Both his sessions are gone: the API and the socket refuse his cookies.
    for (const cookie of [frank.cookie, secondCookie]) {
      expect((await api(server, "GET", "/api/session", undefined, cookie)).body.user).toBeNull();
      expect((await api(server, "POST", "/api/rooms", { name: uniqueName("x ") }, cookie)).status).toBe(401);
    }
    expect(await upgradeStatus(frank.cookie)).toBe(401);
    // Signing in is refused with the reason (to someone who knows the password); a wrong password stays a plain 401.
    const signIn = await api(server, "POST", "/api/login", { username: frank.username, password: PASSWORD });
    expect(signIn.status).toBe(403);
    expect(signIn.body.error).toMatch(/deactivated/);
    expect(signIn.headers.get("set-cookie")).toBeNull();
    expect(
      (await api(server, "POST", "/api/login", { username: frank.username, password: "wrong password!" }))
        .status,
    ).toBe(401);
    // Everyone's directory shows it; his message stays in the room.
    await eventually(
      () => listUsers(directory.doc).find((u) => u.id === frank.id)?.deactivated === true,
      5_000,
      "frank deactivated in the directory",
    );
    const reader = device(admin);
    const history = await reader.open(segmentDocName(roomId, 0));
    expect(listMessages(history.doc).find((m) => m.id === message.id)).toMatchObject({
      text: "still here after I go",
      deleted: false,
    });
    // Deactivating twice is a conflict, not a second audit row.
    expect(
      (await api(server, "PATCH", `/api/admin/people/${frank.id}`, { deactivated: true }, admin.cookie))
        .status,
    ).toBe(409);

    const back = await api(
      server,
      "PATCH",
      `/api/admin/people/${frank.id}`,
      { deactivated: false },
      admin.cookie,
    );
    expect(back).toMatchObject({ status: 200, body: { person: { deactivated: false } } });
    expect(
      (await api(server, "POST", "/api/login", { username: frank.username, password: PASSWORD })).status,
    ).toBe(200);
    // The old cookies stay dead: reactivation does not bring sessions back.
    expect((await api(server, "GET", "/api/session", undefined, frank.cookie)).body.user).toBeNull();
    await eventually(
      () => listUsers(directory.doc).find((u) => u.id === frank.id)?.deactivated === undefined,
      5_000,
      "frank active again in the directory",
    );
    const summaries = (await audit()).map((e) => e.summary);
    expect(summaries).toContain(`${admin.username} deactivated ${frank.username}`);
    expect(summaries).toContain(`${admin.username} reactivated ${frank.username}`);
    expect(summaries.filter((s) => s === `${admin.username} deactivated ${frank.username}`)).toHaveLength(1);
  });
});

describe("password-reset links", () => {
  const issue = async (user: TestUser) => {
    const { status, body } = await api(
      server,
      "POST",
      `/api/admin/people/${user.id}/password-reset`,
      undefined,
      admin.cookie,
    );
    expect(status).toBe(201);
    expect(body.path).toMatch(/^\/reset\/[A-Za-z0-9_-]{43}$/);
    return (body.path as string).slice("/reset/".length);
  };

  it("work once: set a new password and sign out every session; a second use, a bad password and a made-up token are refused", async () => {
    const gina = await signUp(server, "gina");
    const ginas = device(gina);
    await ginas.open("directory");
    const closed = socketClosed(ginas);
    const token = await issue(gina);

    expect(await api(server, "POST", "/api/password-reset/check", { token })).toMatchObject({
      status: 200,
      body: { username: gina.username },
    });
    // A password the rules refuse leaves the link working and nothing signed out.
    const weak = await api(server, "POST", "/api/password-reset", { token, newPassword: "short" });
    expect(weak.status).toBe(400);
    expect((await api(server, "GET", "/api/session", undefined, gina.cookie)).body.user).not.toBeNull();

    const used = await api(server, "POST", "/api/password-reset", {
      token,
      newPassword: "a brand new passphrase",
    });
    expect(used).toMatchObject({ status: 200, body: { username: gina.username, signedOutSessions: 1 } });
    expect((await closed).code).toBe(4401);
    expect((await api(server, "GET", "/api/session", undefined, gina.cookie)).body.user).toBeNull();
    expect(
      (await api(server, "POST", "/api/login", { username: gina.username, password: PASSWORD })).status,
    ).toBe(401);
    expect(
      (
        await api(server, "POST", "/api/login", {
          username: gina.username,
          password: "a brand new passphrase",
        })
      ).status,
    ).toBe(200);

    const again = await api(server, "POST", "/api/password-reset", {
      token,
      newPassword: "yet another passphrase",
    });
    expect(again.status).toBe(410);
    expect(again.body.error).toMatch(/used already/);
    expect((await api(server, "POST", "/api/password-reset/check", { token })).status).toBe(410);
    expect(
      (
        await api(server, "POST", "/api/login", {
          username: gina.username,
          password: "yet another passphrase",
        })
      ).status,
    ).toBe(401);
    const madeUp = await api(server, "POST", "/api/password-reset", {
      token: "x".repeat(43),
      newPassword: "yet another passphrase",
    });
    expect(madeUp.status).toBe(410);
    expect(madeUp.body.error).toMatch(/not valid/);
    expect((await audit()).map((e) => e.summary)).toContain(
      `${admin.username} issued a password-reset link for ${gina.username}`,
    );
  });

  it("two uses of one link at the same moment: one sets the password, the other hears it was used", async () => {
    const ines = await signUp(server, "ines");
    const token = await issue(ines);
    const [first, second] = await Promise.all([
      api(server, "POST", "/api/password-reset", { token, newPassword: "first new passphrase" }),
      api(server, "POST", "/api/password-reset", { token, newPassword: "second new passphrase" }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 410]);
    const winner = first.status === 200 ? "first new passphrase" : "second new passphrase";
    const loser = first.status === 200 ? "second new passphrase" : "first new passphrase";
    expect(
      (await api(server, "POST", "/api/login", { username: ines.username, password: winner })).status,
    ).toBe(200);
    expect(
      (await api(server, "POST", "/api/login", { username: ines.username, password: loser })).status,
    ).toBe(401);
  });

  it("an expired link is refused and changes nothing; a deactivated person's link too", async () => {
    const hank = await signUp(server, "hank");
    const token = await issue(hank);
    // 24 hours pass (the row's expiry moved back rather than the clock forward).
    await server.db.query(
      "update password_resets set expires_at = now() - interval '1 second' where user_id = $1",
      [hank.id],
    );
    const expired = await api(server, "POST", "/api/password-reset", {
      token,
      newPassword: "a brand new passphrase",
    });
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatch(/expired/);
    expect((await api(server, "GET", "/api/session", undefined, hank.cookie)).body.user).not.toBeNull();
    expect(
      (await api(server, "POST", "/api/login", { username: hank.username, password: PASSWORD })).status,
    ).toBe(200);

    const fresh = await issue(hank);
    await api(server, "PATCH", `/api/admin/people/${hank.id}`, { deactivated: true }, admin.cookie);
    const refused = await api(server, "POST", "/api/password-reset", {
      token: fresh,
      newPassword: "a brand new passphrase",
    });
    expect(refused.status).toBe(410);
    expect(refused.body.error).toMatch(/deactivated/);
    // No new link for a deactivated account either.
    expect(
      (await api(server, "POST", `/api/admin/people/${hank.id}/password-reset`, undefined, admin.cookie))
        .status,
    ).toBe(409);
  });
});

describe("rooms and messages", () => {
  it("the admin renames, archives and manages members of a private room they are not in; each action is audited", async () => {
    const ivan = await signUp(server, "ivan");
    const judy = await signUp(server, "judy");
    const { body } = await api(
      server,
      "POST",
      "/api/rooms",
      { name: uniqueName("secret "), private: true },
      ivan.cookie,
    );
    const roomId = body.room.id as string;
    // Judy (not the creator, not the admin) may do none of it.
    expect(
      (await api(server, "PATCH", `/api/rooms/${roomId}`, { name: "mine now" }, judy.cookie)).status,
    ).toBe(404);

    const newName = uniqueName("renamed ");
    const renamed = await api(server, "PATCH", `/api/rooms/${roomId}`, { name: newName }, admin.cookie);
    expect(renamed).toMatchObject({ status: 200, body: { room: { name: newName } } });
    const added = await api(
      server,
      "POST",
      `/api/rooms/${roomId}/members`,
      { username: judy.username },
      admin.cookie,
    );
    expect(added.status).toBe(201);
    expect(
      (await api(server, "DELETE", `/api/rooms/${roomId}/members/${judy.id}`, undefined, admin.cookie))
        .status,
    ).toBe(200);
    const archived = await api(server, "PATCH", `/api/rooms/${roomId}`, { archived: true }, admin.cookie);
    expect(archived).toMatchObject({ status: 200, body: { room: { archived: true } } });
    const ivans = device(ivan);
    const index = await ivans.open(userDocName(ivan.id));
    await eventually(
      () => getIndexedRoom(index.doc, roomId)?.archived === true,
      5_000,
      "archived in ivan's index",
    );

    const summaries = (await audit()).map((e) => e.summary);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${admin.username} changed .*: renamed it to ${newName}$`)),
        `${admin.username} added ${judy.username} to ${newName}`,
        `${admin.username} removed ${judy.username} from ${newName}`,
        `${admin.username} changed ${newName}: archived it`,
      ]),
    );
  });

  it("the admin removes anyone's message: shown as removed by an admin everywhere, final, audited; nobody else may", async () => {
    const kim = await signUp(server, "kim");
    const leo = await signUp(server, "leo");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("general ") }, kim.cookie);
    const roomId = body.room.id as string;
    await api(server, "POST", `/api/rooms/${roomId}/members`, { username: leo.username }, kim.cookie);
    const kims = device(kim);
    const segment = await kims.open(segmentDocName(roomId, 0));
    const leosIndex = await device(leo).open(userDocName(leo.id));
    const message = createMessage(kim.id, `spam for @${leo.username}`);
    appendMessage(segment.doc, message);
    await eventually(() => sequenceOf(segment.doc, message.id) !== null, 5_000, "numbered");
    await eventually(
      () => getIndexedRoom(leosIndex.doc, roomId)?.mentions === 1,
      5_000,
      "leo's mention counted",
    );
    const path = `/api/admin/rooms/${roomId}/segments/0/messages/${message.id}`;

    // Leo (a member, not the author, not the admin) may not.
    expect((await api(server, "DELETE", path, undefined, leo.cookie)).status).toBe(403);
    const removed = await api(server, "DELETE", path, undefined, admin.cookie);
    expect(removed).toMatchObject({ status: 200, body: { removed: { roomId, messageId: message.id } } });
    await eventually(
      () => listMessages(segment.doc).find((m) => m.id === message.id)?.removedByAdmin === true,
      5_000,
      "the removal on kim's device",
    );
    expect(listMessages(segment.doc).find((m) => m.id === message.id)).toMatchObject({
      deleted: true,
      text: "",
    });
    // It leaves leo's counts.
    await eventually(
      () => getIndexedRoom(leosIndex.doc, roomId)?.mentions === 0,
      5_000,
      "leo's mention gone",
    );
    expect(getIndexedRoom(leosIndex.doc, roomId)?.unread).toBe(0);

    // Its author cannot take the admin's record back by deleting it as their own.
    const refused = closeReason(kims.providers.get(segmentDocName(roomId, 0))!);
    deleteMessage(segment.doc, message, kim.id);
    expect(parseCloseReason(await refused)).toMatchObject({ kind: "forbidden-write" });
    const stored = device(admin);
    const check = await stored.open(segmentDocName(roomId, 0));
    expect(messageEdits(check.doc).get(message.id)).toMatchObject({ deleted: true, removedByAdmin: true });

    expect((await api(server, "DELETE", path, undefined, admin.cookie)).status).toBe(409);
    expect(
      (
        await api(
          server,
          "DELETE",
          `/api/admin/rooms/${roomId}/segments/0/messages/nosuchmessage`,
          undefined,
          admin.cookie,
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await api(
          server,
          "DELETE",
          `/api/admin/rooms/${roomId}/segments/7/messages/${message.id}`,
          undefined,
          admin.cookie,
        )
      ).status,
    ).toBe(404);
    expect((await audit()).map((e) => e.summary)).toContain(
      `${admin.username} removed a message by ${kim.username} in ${body.room.name}`,
    );
  });
});

describe("the audit table", () => {
  it("lists who did what and when, newest first", async () => {
    const entries = await api(server, "GET", "/api/admin/audit", undefined, admin.cookie);
    expect(entries.status).toBe(200);
    const list = entries.body.entries as Array<{ id: string; at: number; actor: { id: string } | null }>;
    expect(list.length).toBeGreaterThan(5);
    for (let i = 1; i < list.length; i++) {
      expect(Number(list[i]!.id)).toBeLessThan(Number(list[i - 1]!.id));
      expect(list[i]!.at).toBeLessThanOrEqual(list[i - 1]!.at);
    }
    expect(list.every((e) => typeof e.at === "number" && e.actor !== null)).toBe(true);
    const older = await api(server, "GET", `/api/admin/audit?before=${list[1]!.id}`, undefined, admin.cookie);
    expect(older.body.entries[0].id).toBe(list[2]!.id);
    expect((await api(server, "GET", "/api/admin/audit?before=x", undefined, admin.cookie)).status).toBe(400);
  });
});

describe("last activity", () => {
  it("is written at most once per spacing per person, then again once it has passed", async () => {
    const kai = await signUp(server, "kai");
    const lastSeen = new LastSeen(server.db, createLogger({ level: "silent" }), 60_000);
    const seen = async () =>
      (
        await server.db.query<{ at: Date | null }>("select last_seen_at as at from users where id = $1", [
          kai.id,
        ])
      )[0]!.at;
    const start = Date.now();
    lastSeen.touch(kai.id, start);
    await eventually(async () => (await seen()) !== null, 5_000, "the first write");
    // Moved back by hand: a second touch within the spacing must not write it again.
    await server.db.query("update users set last_seen_at = '2000-01-01' where id = $1", [kai.id]);
    lastSeen.touch(kai.id, start + 59_000);
    // Longer than the gathering delay (2 s) after which a due write goes out.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(new Date((await seen())!).getUTCFullYear()).toBe(2000);
    lastSeen.touch(kai.id, start + 60_000);
    await eventually(
      async () => new Date((await seen())!).getUTCFullYear() > 2000,
      5_000,
      "the write after the spacing",
    );
  });
});

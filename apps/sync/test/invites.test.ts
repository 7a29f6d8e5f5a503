import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

let storage: TestStorage;
let server: TestServer;
let admin: TestUser;
let member: TestUser;
beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
  admin = await signUp(server, "admin");
  member = await signUp(server, "member");
});
afterAll(async () => {
  await server?.close();
  await storage?.dispose();
});

const PASSWORD = "correct horse battery";
const join = (invite?: string) =>
  api(server, "POST", "/api/signup", {
    username: uniqueName("new"),
    password: PASSWORD,
    ...(invite ? { invite } : {}),
  });
const setInviteOnly = (inviteOnly: boolean, cookie = admin.cookie) =>
  api(server, "PATCH", "/api/workspace", { inviteOnly }, cookie);
const invite = async (body: Record<string, unknown> = {}, cookie = member.cookie) => {
  const response = await api(server, "POST", "/api/invites", body, cookie);
  expect(response.status).toBe(201);
  return response.body as { token: string; path: string; invite: { id: string; state: string } };
};

describe("the workspace admin", () => {
  it("is the first account, and only the admin can make sign-up invite-only", async () => {
    expect((await api(server, "GET", "/api/session", undefined, admin.cookie)).body.user.isAdmin).toBe(true);
    expect((await api(server, "GET", "/api/session", undefined, member.cookie)).body.user.isAdmin).toBe(
      false,
    );
    expect((await api(server, "GET", "/api/workspace")).body).toEqual({ inviteOnly: false });
    const refused = await setInviteOnly(true, member.cookie);
    expect(refused).toMatchObject({
      status: 403,
      body: { error: "Only the workspace admin can change this setting." },
    });
    expect((await api(server, "PATCH", "/api/workspace", { inviteOnly: "yes" }, admin.cookie)).status).toBe(
      400,
    );
    expect((await setInviteOnly(true)).body).toEqual({ inviteOnly: true });
    expect((await api(server, "GET", "/api/workspace")).body).toEqual({ inviteOnly: true });
    await setInviteOnly(false);
  });
});

describe("invite-only sign-up", () => {
  beforeAll(async () => {
    await setInviteOnly(true);
  });
  afterAll(async () => {
    await setInviteOnly(false);
  });

  it("refuses sign-up without a valid invite, with a sentence saying what to do", async () => {
    const response = await join();
    expect(response).toMatchObject({
      status: 403,
      body: { error: "Sign-up is by invitation only. Ask a member of this workspace for an invite link." },
    });
    const forged = await join("made-up-token");
    expect(forged).toMatchObject({
      status: 403,
      body: { error: "This invite link is not valid. Ask for a new one." },
    });
  });

  it("a single-use link admits exactly one person; a taken username does not use it up", async () => {
    const { token, path } = await invite({ maxUses: 1, expiresInHours: 24 });
    expect(path).toBe(`/invite/${token}`);
    expect(await api(server, "POST", "/api/invites/check", { token })).toMatchObject({
      status: 200,
      body: { valid: true, invitedBy: member.username },
    });
    const taken = await api(server, "POST", "/api/signup", {
      username: admin.username,
      password: PASSWORD,
      invite: token,
    });
    expect(taken.status).toBe(409);
    const joined = await join(token);
    expect(joined.status).toBe(201);
    expect(joined.body.user.isAdmin).toBe(false);
    const [row] = await server.db.query<{ invited_by: string }>(
      "select invited_by from users where id = $1",
      [joined.body.user.id],
    );
    expect(row?.invited_by).toBe(member.id);
    const again = await join(token);
    expect(again).toMatchObject({
      status: 403,
      body: { error: "This invite link has been used as many times as it allows. Ask for a new one." },
    });
    expect((await api(server, "POST", "/api/invites/check", { token })).status).toBe(410);
  });

  it("concurrent sign-ups with a single-use link: one gets in", async () => {
    const { token } = await invite({ maxUses: 1 });
    const results = await Promise.all([join(token), join(token), join(token)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 403, 403]);
  });

  it("multi-use and unlimited links; expired and revoked links say so", async () => {
    const twice = await invite({ maxUses: 2 });
    expect((await join(twice.token)).status).toBe(201);
    expect((await join(twice.token)).status).toBe(201);
    expect((await join(twice.token)).status).toBe(403);

    const unlimited = await invite({});
    for (let i = 0; i < 3; i++) expect((await join(unlimited.token)).status).toBe(201);

    const expiring = await invite({ expiresInHours: 1 });
    await server.db.query("update invites set expires_at = now() - interval '1 second' where id = $1", [
      expiring.invite.id,
    ]);
    expect((await join(expiring.token)).body.error).toBe("This invite link has expired. Ask for a new one.");

    const revoked = await invite({});
    expect(
      (await api(server, "DELETE", `/api/invites/${revoked.invite.id}`, undefined, member.cookie)).status,
    ).toBe(204);
    expect((await join(revoked.token)).body.error).toBe("This invite link was revoked. Ask for a new one.");
    expect((await api(server, "POST", "/api/invites/check", { token: revoked.token })).body.error).toBe(
      "This invite link was revoked. Ask for a new one.",
    );
  });
});

describe("invite links", () => {
  it("are stored hashed, listed for their maker (all for the admin), revocable by maker or admin", async () => {
    const mine = await invite({ maxUses: 5 });
    const stored = await server.db.query<{ token_hash: string }>("select token_hash from invites");
    expect(stored.some((row) => row.token_hash === mine.token)).toBe(false);
    expect(JSON.stringify(stored)).not.toContain(mine.token);

    const someone = await signUp(server, "someone");
    const theirs = (await api(server, "GET", "/api/invites", undefined, someone.cookie)).body.invites;
    expect(theirs).toEqual([]);
    const memberList = (await api(server, "GET", "/api/invites", undefined, member.cookie)).body
      .invites as Array<{
      id: string;
      createdBy: { username: string };
      maxUses: number | null;
      uses: number;
      state: string;
    }>;
    expect(memberList[0]).toMatchObject({ id: mine.invite.id, maxUses: 5, uses: 0, state: "active" });
    expect(JSON.stringify(memberList)).not.toContain(mine.token);
    const adminList = (await api(server, "GET", "/api/invites", undefined, admin.cookie)).body
      .invites as Array<{ id: string }>;
    expect(adminList.map((i) => i.id)).toContain(mine.invite.id);

    expect(
      (await api(server, "DELETE", `/api/invites/${mine.invite.id}`, undefined, someone.cookie)).status,
    ).toBe(403);
    expect(
      (await api(server, "DELETE", `/api/invites/${mine.invite.id}`, undefined, admin.cookie)).status,
    ).toBe(204);
    expect(
      (await api(server, "DELETE", "/api/invites/aaaaaaaaaaaaaaaa", undefined, admin.cookie)).status,
    ).toBe(404);
    expect((await api(server, "GET", "/api/invites")).status).toBe(401);
  });

  it("explains bad invite settings", async () => {
    for (const body of [
      { expiresInHours: 0 },
      { expiresInHours: 24 * 31 },
      { maxUses: 0 },
      { maxUses: 1.5 },
    ]) {
      const response = await api(server, "POST", "/api/invites", body, member.cookie);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error).toMatch(/invite lasts|number of uses/);
    }
  });

  it("an open workspace ignores a dead invite instead of refusing the person", async () => {
    const revoked = await invite({});
    await api(server, "DELETE", `/api/invites/${revoked.invite.id}`, undefined, member.cookie);
    expect((await join(revoked.token)).status).toBe(201);
  });
});

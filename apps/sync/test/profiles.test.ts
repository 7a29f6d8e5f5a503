import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIRECTORY_DOC, listUsers, type UserEntry } from "@chat/model";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  storedDoc,
  type TestServer,
  type TestStorage,
  type TestUser,
} from "./harness.ts";

/**
 * Profiles (issue 20): the owner changes their display name, status and avatar through the API; the
 * server checks them, stores them and publishes them in the `directory`, which every signed-in
 * device has open, so the change reaches them all without a reload.
 */
let storage: TestStorage;
let server: TestServer;
let ownDataDir: string | null = null;
const devices: Device[] = [];
const device = (user: TestUser) => {
  const d = new Device(server, user);
  devices.push(d);
  return d;
};

beforeAll(async () => {
  storage = await createStorage();
  // With Postgres, avatars still go to a folder of this test's own, not the repository's ./data.
  if (!storage.env.DATA_DIR) ownDataDir = mkdtempSync(join(tmpdir(), "chat-avatars-"));
  server = await startTestServer(storage, 0, { DATA_DIR: storage.env.DATA_DIR ?? ownDataDir! });
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
  if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
});

const entryOf = (doc: import("yjs").Doc, id: string): UserEntry | undefined =>
  listUsers(doc).find((user) => user.id === id);

async function putAvatar(user: TestUser, bytes: Buffer) {
  const response = await fetch(`${server.url}/api/profile/avatar`, {
    method: "PUT",
    headers: { cookie: user.cookie, "content-type": "application/octet-stream" },
    body: bytes,
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answer is checked field by field below
  return { status: response.status, body: (await response.json()) as any };
}

const png = (colour: string) =>
  sharp({ create: { width: 300, height: 200, channels: 3, background: colour } })
    .png()
    .toBuffer();

describe("display name and status", () => {
  it("the owner's change is answered, stored and reaches another person's open directory at once", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const { doc } = await device(bob).open(DIRECTORY_DOC);
    expect(entryOf(doc, alice.id)).toMatchObject({ displayName: alice.username, status: "" });

    const answer = await api(
      server,
      "PATCH",
      "/api/profile",
      { displayName: "  Alice Liddell  ", status: "In a meeting 🗓" },
      alice.cookie,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.user).toMatchObject({
      id: alice.id,
      username: alice.username,
      displayName: "Alice Liddell",
      status: "In a meeting 🗓",
    });
    const seen = await eventually(() => {
      const entry = entryOf(doc, alice.id);
      return entry?.displayName === "Alice Liddell" && entry;
    });
    // The username stays the handle.
    expect(seen).toMatchObject({ username: alice.username, status: "In a meeting 🗓" });
    expect(entryOf(await storedDoc(server, DIRECTORY_DOC), alice.id)?.displayName).toBe("Alice Liddell");

    // One field alone leaves the other; an empty status clears it.
    expect((await api(server, "PATCH", "/api/profile", { status: "" }, alice.cookie)).status).toBe(200);
    await eventually(() => entryOf(doc, alice.id)?.status === "");
    expect(entryOf(doc, alice.id)?.displayName).toBe("Alice Liddell");
  });

  it("refuses bad input with a clear sentence and changes nothing, not even the other field", async () => {
    const carol = await signUp(server, "carol");
    const ok = await api(
      server,
      "PATCH",
      "/api/profile",
      { displayName: "Carol", status: "here" },
      carol.cookie,
    );
    expect(ok.status).toBe(200);
    const cases: Array<[unknown, RegExp]> = [
      [{ displayName: "     " }, /^Display name cannot be empty or only spaces\.$/],
      [
        { displayName: "x".repeat(10_000), status: "changed" },
        /at most 64 characters \(this one has 10,000\)/,
      ],
      [{ displayName: "Car\nol" }, /control characters/],
      [{ status: "s".repeat(101), displayName: "Changed" }, /Status must be at most 100 characters/],
      [{ displayName: 42 }, /Send displayName as text/],
      [{}, /Send a displayName, a status, or both/],
    ];
    for (const [body, message] of cases) {
      const refused = await api(server, "PATCH", "/api/profile", body, carol.cookie);
      expect(refused.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(refused.body.error).toMatch(message);
    }
    const { doc } = await device(carol).open(DIRECTORY_DOC);
    expect(entryOf(doc, carol.id)).toMatchObject({ displayName: "Carol", status: "here" });
    // A request that would be refused anyway still needs a session first.
    expect((await api(server, "PATCH", "/api/profile", { displayName: "Someone" })).status).toBe(401);
  });
});

describe("avatars", () => {
  it("an uploaded image becomes a small square avatar everyone signed in can see; replacing it deletes the old one", async () => {
    const dana = await signUp(server, "dana");
    const erin = await signUp(server, "erin");
    const { doc } = await device(erin).open(DIRECTORY_DOC);

    const first = await putAvatar(dana, await png("#c0392b"));
    expect(first.status).toBe(200);
    const id: string = first.body.user.avatar;
    expect(id).toMatch(/^[a-z0-9]{16}$/);
    await eventually(() => entryOf(doc, dana.id)?.avatar === id);

    const seen = await fetch(`${server.url}/api/avatars/${id}`, { headers: { cookie: erin.cookie } });
    expect(seen.status).toBe(200);
    expect(seen.headers.get("content-type")).toBe("image/webp");
    const meta = await sharp(Buffer.from(await seen.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([128, 128]);
    // Not signed in: as if it did not exist.
    expect((await fetch(`${server.url}/api/avatars/${id}`)).status).toBe(404);

    const second = await putAvatar(dana, await png("#2980b9"));
    expect(second.status).toBe(200);
    expect(second.body.user.avatar).not.toBe(id);
    await eventually(() => entryOf(doc, dana.id)?.avatar === second.body.user.avatar);
    expect(
      (await fetch(`${server.url}/api/avatars/${id}`, { headers: { cookie: erin.cookie } })).status,
    ).toBe(404);

    // Removing it goes back to initials.
    const removed = await api(server, "DELETE", "/api/profile/avatar", undefined, dana.cookie);
    expect(removed.status).toBe(200);
    expect(removed.body.user.avatar).toBeNull();
    await eventually(() => entryOf(doc, dana.id)?.avatar === null);
  });

  it("refuses what is not an image, and an empty file, keeping the avatar there was", async () => {
    const frank = await signUp(server, "frank");
    const kept = (await putAvatar(frank, await png("#16a085"))).body.user.avatar;
    const text = await putAvatar(frank, Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"));
    expect(text.status).toBe(400);
    expect(text.body.error).toBe("An avatar must be a PNG, JPEG, GIF or WebP image.");
    const empty = await putAvatar(frank, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe("The file is empty.");
    const session = await api(server, "GET", "/api/session", undefined, frank.cookie);
    expect(session.status).toBe(200);
    const { doc } = await device(frank).open(DIRECTORY_DOC);
    expect(entryOf(doc, frank.id)?.avatar).toBe(kept);
  });
});

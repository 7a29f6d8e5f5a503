import {
  dmRoomId,
  getIndexedRoom,
  isMember,
  listMessages,
  parseCloseReason,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
const device = (user: TestUser, on = server) => {
  const d = new Device(on, user);
  devices.push(d);
  return d;
};

beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

async function room(on: TestServer, owner: TestUser, others: TestUser[], isPrivate = true): Promise<string> {
  const { body } = await api(
    on,
    "POST",
    "/api/rooms",
    { name: uniqueName("room "), private: isPrivate },
    owner.cookie,
  );
  const roomId = body.room.id as string;
  for (const person of others)
    expect(
      (await api(on, "POST", `/api/rooms/${roomId}/members`, { username: person.username }, owner.cookie))
        .status,
    ).toBe(201);
  return roomId;
}

const lines = (doc: Parameters<typeof listMessages>[0]) =>
  listMessages(doc)
    .filter((m) => m.event)
    .map((m) => m.text);

describe("leaving a room and being removed", () => {
  it("the creator removes bob: his open documents close at once, the room leaves his index, and he cannot open it again", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await room(server, alice, [bob]);
    const bobs = device(bob);
    const index = await bobs.open(userDocName(bob.id));
    const roomDoc = await bobs.open(roomDocName(roomId));
    const segment = await bobs.open(segmentDocName(roomId, 0));
    await eventually(() => getIndexedRoom(index.doc, roomId), 5_000, "the room in bob's index");
    const closes = [closeReason(roomDoc.provider), closeReason(segment.provider)];

    const removed = await api(
      server,
      "DELETE",
      `/api/rooms/${roomId}/members/${bob.id}`,
      undefined,
      alice.cookie,
    );
    expect(removed.status).toBe(200);
    for (const reason of await Promise.all(closes))
      expect(parseCloseReason(reason)).toEqual({
        kind: "membership-ended",
        explanation: `you were removed from this room by ${alice.username}`,
      });
    await eventually(
      () => getIndexedRoom(index.doc, roomId) === undefined,
      5_000,
      "the room gone from bob's index",
    );

    const alices = device(alice);
    const seen = await alices.open(segmentDocName(roomId, 0));
    await eventually(
      () => lines(seen.doc).includes(`${alice.username} removed ${bob.username}`),
      5_000,
      "the line",
    );
    const aliceRoom = await alices.open(roomDocName(roomId));
    expect(isMember(aliceRoom.doc, bob.id)).toBe(false);
    expect(isMember(aliceRoom.doc, alice.id)).toBe(true);
    await expect(device(bob).open(roomDocName(roomId))).rejects.toThrow(/forbidden/);
  });

  it("refuses what nobody may do, with a reason, and changes nothing", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const carol = await signUp(server, "carol");
    const roomId = await room(server, alice, [bob, carol]);
    const cases: Array<[TestUser, string, string, number, RegExp]> = [
      [carol, "DELETE", `/members/${bob.id}`, 403, /created this room, or the workspace admin/],
      [bob, "DELETE", `/members/${alice.id}`, 403, /created the room cannot be removed/],
      [alice, "DELETE", `/members/${alice.id}`, 403, /leave the room/],
    ];
    for (const [who, method, path, status, message] of cases) {
      const answer = await api(server, method, `/api/rooms/${roomId}${path}`, undefined, who.cookie);
      expect(answer.status, path).toBe(status);
      expect(answer.body.error).toMatch(message);
    }
    const outsider = await signUp(server, "eve");
    // Someone outside a private room learns nothing of it.
    expect((await api(server, "POST", `/api/rooms/${roomId}/leave`, undefined, outsider.cookie)).status).toBe(
      404,
    );
    expect(
      (await api(server, "DELETE", `/api/rooms/${roomId}/members/${outsider.id}`, undefined, alice.cookie))
        .status,
    ).toBe(404);
    const roomDoc = await device(alice).open(roomDocName(roomId));
    for (const person of [alice, bob, carol]) expect(isMember(roomDoc.doc, person.id)).toBe(true);
  });

  it("people leave; the last one in a private room is told to archive it instead", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await room(server, alice, [bob]);
    expect((await api(server, "POST", `/api/rooms/${roomId}/leave`, undefined, bob.cookie)).status).toBe(200);
    const last = await api(server, "POST", `/api/rooms/${roomId}/leave`, undefined, alice.cookie);
    expect(last.status).toBe(409);
    expect(last.body.error).toMatch(/archive it instead/);
    const seen = await device(alice).open(segmentDocName(roomId, 0));
    await eventually(() => lines(seen.doc).includes(`${bob.username} left`), 5_000, "bob's line");
    expect(lines(seen.doc)).not.toContain(`${alice.username} left`);
  });

  it("a public room is left like any other, and once only", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await room(server, alice, [bob], false);
    expect((await api(server, "POST", `/api/rooms/${roomId}/leave`, undefined, bob.cookie)).status).toBe(200);
    const again = await api(server, "POST", `/api/rooms/${roomId}/leave`, undefined, bob.cookie);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/not in this room/);
  });

  it("a direct conversation cannot be left, nor anyone removed from it", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const dm = dmRoomId(alice.id, bob.id);
    // It begins when one of its two people first opens it.
    await device(alice).open(roomDocName(dm));
    const leaving = await api(server, "POST", `/api/rooms/${dm}/leave`, undefined, alice.cookie);
    expect(leaving.status).toBe(403);
    expect(leaving.body.error).toMatch(/cannot be left/);
    const removing = await api(
      server,
      "DELETE",
      `/api/rooms/${dm}/members/${bob.id}`,
      undefined,
      alice.cookie,
    );
    expect(removing.status).toBe(403);
    expect(removing.body.error).toMatch(/between its two people/);
  });
});

/** One Postgres, one Redis, two instances: removal closes documents open on the other instance. */
const enabled = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
describe.runIf(enabled)("being removed, across instances", () => {
  let one: TestServer;
  let two: TestServer;
  beforeAll(async () => {
    const env = { REDIS_URL: process.env.REDIS_URL! };
    one = await startTestServer(storage, 0, env);
    two = await startTestServer(storage, 0, env);
  });
  afterAll(async () => {
    for (const d of devices) d.destroy();
    await one?.close();
    await two?.close();
  });

  it("bob's documents open on the second instance close when the first removes him", async () => {
    const alice = await signUp(one, "alice");
    const bob = await signUp(one, "bob");
    const roomId = await room(one, alice, [bob]);
    const bobs = device(bob, two);
    const segment = await bobs.open(segmentDocName(roomId, 0));
    const closing = closeReason(segment.provider);
    expect(
      (await api(one, "DELETE", `/api/rooms/${roomId}/members/${bob.id}`, undefined, alice.cookie)).status,
    ).toBe(200);
    expect(parseCloseReason(await closing)?.kind).toBe("membership-ended");
    await expect(device(bob, two).open(segmentDocName(roomId, 0))).rejects.toThrow(/forbidden/);
  });
});

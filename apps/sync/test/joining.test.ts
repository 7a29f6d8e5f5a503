import {
  appendMessage,
  createMessage,
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
const device = (user: TestUser) => {
  const d = new Device(server, user);
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

async function createRoom(owner: TestUser, isPrivate: boolean): Promise<string> {
  const { status, body } = await api(
    server,
    "POST",
    "/api/rooms",
    { name: uniqueName("room "), private: isPrivate },
    owner.cookie,
  );
  expect(status).toBe(201);
  return body.room.id as string;
}

const memberRows = async (roomId: string, userId: string) =>
  (
    await server.db.query<{ n: number }>(
      "select count(*)::int as n from room_members where room_id = $1 and user_id = $2",
      [roomId, userId],
    )
  )[0]!.n;

describe("joining a public room on purpose", () => {
  it("opening a public room one is not in is a read-only preview: its history, no membership, no writes", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await createRoom(alice, false);
    const alices = device(alice);
    const aliceSegment = await alices.open(segmentDocName(roomId, 0));
    appendMessage(aliceSegment.doc, createMessage(alice.id, "welcome, whoever reads this"));
    await eventually(() => listMessages(aliceSegment.doc)[0]?.seq === 1, 5_000, "alice's message numbered");

    const bobs = device(bob);
    const index = await bobs.open(userDocName(bob.id));
    const room = await bobs.open(roomDocName(roomId));
    const segment = await bobs.open(segmentDocName(roomId, 0));
    expect(listMessages(segment.doc).map((m) => m.text)).toEqual(["welcome, whoever reads this"]);
    expect(isMember(room.doc, bob.id)).toBe(false);
    expect(await memberRows(roomId, bob.id)).toBe(0);
    expect(getIndexedRoom(index.doc, roomId)).toBeUndefined();

    // A previewer's presence (typing travels in the segment) shows nowhere. Carol, a member, says hers
    // after bob: a device of alice's opened afterwards is sent the room's presence, carol's and not bob's.
    segment.provider.setAwarenessField("status", { text: "previewing", typing: true });
    const carol = await signUp(server, "carol");
    expect((await api(server, "POST", `/api/rooms/${roomId}/join`, undefined, carol.cookie)).status).toBe(
      200,
    );
    const carolSegment = await device(carol).open(segmentDocName(roomId, 0));
    carolSegment.provider.setAwarenessField("status", { text: "here", typing: true });
    const watcher = await device(alice).open(segmentDocName(roomId, 0));
    const states = () => [...watcher.provider.awareness!.getStates().values()];
    await eventually(
      () => states().some((s) => s.user?.id === carol.id),
      5_000,
      "carol's presence at alice's",
    );
    expect(states().some((s) => s.user?.id === bob.id)).toBe(false);

    // A write is refused, and nothing of it is kept.
    const refused = closeReason(segment.provider);
    appendMessage(segment.doc, createMessage(bob.id, "may I?"));
    expect(parseCloseReason(await refused)).toEqual({
      kind: "forbidden-write",
      explanation: "this document is read-only",
    });
    const again = await device(alice).open(segmentDocName(roomId, 0));
    expect(listMessages(again.doc).map((m) => m.text)).toEqual(["welcome, whoever reads this"]);
  });

  it("POST /join makes bob a member; his open previews close and reopen writable; alice sees him listed", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await createRoom(alice, false);
    const bobs = device(bob);
    const index = await bobs.open(userDocName(bob.id));
    const room = await bobs.open(roomDocName(roomId));
    const segment = await bobs.open(segmentDocName(roomId, 0));
    const closes = [closeReason(room.provider), closeReason(segment.provider)];
    // Bob's other device has only his index open: nothing of it closes.
    let indexClosed = false;
    index.provider.on("close", () => {
      indexClosed = true;
    });

    const joined = await api(server, "POST", `/api/rooms/${roomId}/join`, undefined, bob.cookie);
    expect(joined).toMatchObject({ status: 200, body: { joined: { roomId } } });
    for (const reason of await Promise.all(closes))
      expect(parseCloseReason(reason)).toEqual({
        kind: "membership-began",
        explanation: "you joined this room",
      });
    expect(indexClosed).toBe(false);
    await eventually(() => getIndexedRoom(index.doc, roomId), 5_000, "the room in bob's index");
    expect(getIndexedRoom(index.doc, roomId)).toMatchObject({ unread: 0, mentions: 0 });

    // Opened again (as the app does at once), the room takes his message.
    const writable = await device(bob).open(segmentDocName(roomId, 0));
    appendMessage(writable.doc, createMessage(bob.id, "hello, I joined"));
    await eventually(
      () => listMessages(writable.doc).find((m) => m.text === "hello, I joined")?.seq != null,
      5_000,
      "bob's message numbered",
    );
    const aliceRoom = await device(alice).open(roomDocName(roomId));
    await eventually(() => isMember(aliceRoom.doc, bob.id), 5_000, "bob in the room's member list");
    // Joining is no one's doing but his: no line in the history.
    expect(listMessages(writable.doc).filter((m) => m.event)).toEqual([]);
  });

  it("someone added while previewing gets a writable room too", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await createRoom(alice, false);
    const segment = await device(bob).open(segmentDocName(roomId, 0));
    const closed = closeReason(segment.provider);
    const added = await api(
      server,
      "POST",
      `/api/rooms/${roomId}/members`,
      { username: bob.username },
      alice.cookie,
    );
    expect(added.status).toBe(201);
    expect(parseCloseReason(await closed)?.kind).toBe("membership-began");
  });

  it("refuses what cannot be joined, and joins nobody", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const publicRoom = await createRoom(alice, false);
    const privateRoom = await createRoom(alice, true);
    const archived = await createRoom(alice, false);
    expect(
      (await api(server, "PATCH", `/api/rooms/${archived}`, { archived: true }, alice.cookie)).status,
    ).toBe(200);
    const dm = dmRoomId(alice.id, (await signUp(server, "carol")).id);
    const cases: Array<[TestUser, string, number, RegExp]> = [
      [bob, privateRoom, 404, /no such room/],
      [bob, dm, 404, /no such room/],
      [alice, publicRoom, 409, /already/],
      [alice, privateRoom, 409, /already/],
      [bob, archived, 403, /archived/],
      [bob, "0000000000000000", 404, /no such room/],
    ];
    for (const [who, roomId, status, message] of cases) {
      const answer = await api(server, "POST", `/api/rooms/${roomId}/join`, undefined, who.cookie);
      expect([roomId, answer.status, answer.body.error]).toEqual([
        roomId,
        status,
        expect.stringMatching(message),
      ]);
    }
    expect((await api(server, "POST", `/api/rooms/${publicRoom}/join`, undefined, "")).status).toBe(401);
    for (const roomId of [privateRoom, archived]) expect(await memberRows(roomId, bob.id)).toBe(0);

    // Once in, a second join is refused as such.
    expect((await api(server, "POST", `/api/rooms/${publicRoom}/join`, undefined, bob.cookie)).status).toBe(
      200,
    );
    const twice = await api(server, "POST", `/api/rooms/${publicRoom}/join`, undefined, bob.cookie);
    expect(twice.status).toBe(409);
    // A private room one is not in still cannot even be previewed.
    await expect(device(bob).open(roomDocName(privateRoom))).rejects.toThrow(/forbidden/);
  });
});

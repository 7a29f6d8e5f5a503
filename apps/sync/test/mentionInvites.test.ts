import {
  appendMessage,
  createMessage,
  getIndexedRoom,
  listMembers,
  listMessages,
  readPosition,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("mention invites", () => {
  it("@bob in a public room bob is not in brings him in, with a line after the message, which is his first unread", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const { body } = await api(
      server,
      "POST",
      "/api/rooms",
      { name: uniqueName("quiet "), private: false },
      alice.cookie,
    );
    const roomId = body.room.id as string;
    const aliceDevice = new Device(server, alice);
    const bobDevice = new Device(server, bob);
    devices.push(aliceDevice, bobDevice);
    const segment = await aliceDevice.open(segmentDocName(roomId, 0));
    const room = await aliceDevice.open(roomDocName(roomId));
    appendMessage(segment.doc, createMessage(alice.id, `have a look, @${bob.username}`));

    await eventually(
      () => listMessages(segment.doc).length === 2 && listMessages(segment.doc).every((m) => m.seq !== null),
      5_000,
      "the message and the line, numbered",
    );
    expect(listMessages(segment.doc).map((m) => [m.seq, m.text])).toEqual([
      [1, `have a look, @${bob.username}`],
      [2, `${alice.username} added ${bob.username}`],
    ]);
    await eventually(
      () => listMembers(room.doc).some((m) => m.userId === bob.id),
      5_000,
      "bob among the room's members",
    );
    expect(listMembers(room.doc).find((m) => m.userId === bob.id)).toMatchObject({ addedBy: alice.id });
    expect(readPosition(room.doc, bob.id)).toBe(0);
    const index = await bobDevice.open(userDocName(bob.id));
    await eventually(
      () => getIndexedRoom(index.doc, roomId)?.mentions === 1,
      5_000,
      "the room in bob's index with one mention",
    );
    expect(getIndexedRoom(index.doc, roomId)).toMatchObject({ unread: 1, mentions: 1 });

    // Mentioned again, he is already in: no second line.
    appendMessage(segment.doc, createMessage(alice.id, `@${bob.username} still there?`));
    await eventually(
      () => listMessages(segment.doc).find((m) => m.text.endsWith("still there?"))?.seq === 3,
      5_000,
      "the second mention numbered",
    );
    await eventually(() => getIndexedRoom(index.doc, roomId)?.mentions === 2, 5_000, "two mentions for bob");
    expect(listMessages(segment.doc)).toHaveLength(3);
  });

  it("@bob in a private room adds nobody: the app asks first, and adding is its own request", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const { body } = await api(
      server,
      "POST",
      "/api/rooms",
      { name: uniqueName("secret "), private: true },
      alice.cookie,
    );
    const roomId = body.room.id as string;
    const aliceDevice = new Device(server, alice);
    devices.push(aliceDevice);
    const segment = await aliceDevice.open(segmentDocName(roomId, 0));
    const room = await aliceDevice.open(roomDocName(roomId));
    // "Send without adding".
    appendMessage(segment.doc, createMessage(alice.id, `not for you yet, @${bob.username}`));
    await eventually(
      () => listMessages(segment.doc).some((m) => m.seq !== null),
      5_000,
      "the message numbered",
    );
    // An absence cannot be awaited: a second message is numbered only after the first one's hooks ran.
    appendMessage(segment.doc, createMessage(alice.id, "and another"));
    await eventually(
      () => listMessages(segment.doc).filter((m) => m.seq !== null).length === 2,
      5_000,
      "both numbered",
    );
    expect(listMessages(segment.doc).map((m) => m.text)).toEqual([
      `not for you yet, @${bob.username}`,
      "and another",
    ]);
    expect(listMembers(room.doc).map((m) => m.userId)).toEqual([alice.id]);
    const bobDevice = new Device(server, bob);
    devices.push(bobDevice);
    await expect(bobDevice.open(roomDocName(roomId))).rejects.toThrow(/forbidden/);

    // "Add": the room's own request, then the message.
    expect(
      (await api(server, "POST", `/api/rooms/${roomId}/members`, { username: bob.username }, alice.cookie))
        .status,
    ).toBe(201);
    await eventually(
      () => listMessages(segment.doc).some((m) => m.text === `${alice.username} added ${bob.username}`),
      5_000,
      "the line",
    );
  });
});

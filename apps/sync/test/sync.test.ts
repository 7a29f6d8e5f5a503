import {
  appendMessage,
  createMessage,
  dmRoomId,
  findUserByUsername,
  listMessages,
  listPublicRooms,
  readRoomMeta,
  roomDocName,
  segmentDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  Device,
  eventually,
  joinRoom,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
const device = (...args: ConstructorParameters<typeof Device>) => {
  const d = new Device(...args);
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

describe("rooms and messages over the real socket", () => {
  it("delivers a message to the other member, sequenced, and keeps it across a restart", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const name = uniqueName("General ");
    const created = await api(server, "POST", "/api/rooms", { name }, alice.cookie);
    expect(created.status).toBe(201);
    const roomId = created.body.room.id as string;
    await joinRoom(server, bob, roomId);

    const aliceDevice = device(server, alice);
    const bobDevice = device(server, bob);
    const directory = await bobDevice.open("directory");
    expect(listPublicRooms(directory.doc).map((r) => r.name)).toContain(name);
    expect(findUserByUsername(directory.doc, alice.username)?.id).toBe(alice.id);

    const aliceRoom = await aliceDevice.open(roomDocName(roomId));
    expect(readRoomMeta(aliceRoom.doc)?.name).toBe(name);
    const aliceSegment = await aliceDevice.open(segmentDocName(roomId, 0));
    const bobSegment = await bobDevice.open(segmentDocName(roomId, 0));

    appendMessage(aliceSegment.doc, createMessage(alice.id, "hello **bob**"));
    const received = await eventually(
      () => listMessages(bobSegment.doc).find((m) => m.seq !== null),
      3_000,
      "bob to see the message sequenced",
    );
    expect(received).toMatchObject({ author: alice.id, text: "hello **bob**", seq: 1 });

    appendMessage(bobSegment.doc, createMessage(bob.id, "hi alice"));
    await eventually(
      () => listMessages(aliceSegment.doc).filter((m) => m.seq !== null).length === 2,
      3_000,
      "second message",
    );
    expect(listMessages(aliceSegment.doc).map((m) => [m.seq, m.text])).toEqual([
      [1, "hello **bob**"],
      [2, "hi alice"],
    ]);

    // Restart the server on the same storage: a device that never saw the room reads the history.
    for (const d of devices.splice(0)) d.destroy();
    await server.close();
    server = await startTestServer(storage);
    const carol = await signUp(server, "carol");
    const carolSegment = await device(server, carol).open(segmentDocName(roomId, 0));
    expect(listMessages(carolSegment.doc).map((m) => [m.seq, m.text])).toEqual([
      [1, "hello **bob**"],
      [2, "hi alice"],
    ]);
  });

  it("orders concurrent messages by the server's sequence on every device", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("busy ") }, alice.cookie);
    await joinRoom(server, bob, body.room.id);
    const name = segmentDocName(body.room.id, 0);
    const a = await device(server, alice).open(name);
    const b = await device(server, bob).open(name);
    for (let i = 0; i < 10; i++) {
      appendMessage(a.doc, createMessage(alice.id, `a${i}`));
      appendMessage(b.doc, createMessage(bob.id, `b${i}`));
    }
    const done = (doc: typeof a.doc) => listMessages(doc).filter((m) => m.seq !== null).length === 20;
    await eventually(() => done(a.doc) && done(b.doc), 5_000, "all 20 sequenced on both devices");
    const order = (doc: typeof a.doc) => listMessages(doc).map((m) => `${m.seq}:${m.text}`);
    expect(order(a.doc)).toEqual(order(b.doc));
    expect(listMessages(a.doc).map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("creates a direct conversation on first open, for its two people only", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const carol = await signUp(server, "carol");
    const roomId = dmRoomId(alice.id, bob.id);
    const a = await device(server, alice).open(segmentDocName(roomId, 0));
    appendMessage(a.doc, createMessage(alice.id, "just between us"));
    const bobRoom = await device(server, bob).open(roomDocName(roomId));
    expect(readRoomMeta(bobRoom.doc)?.kind).toBe("dm");
    const b = await device(server, bob).open(segmentDocName(roomId, 0));
    await eventually(
      () => listMessages(b.doc).some((m) => m.text === "just between us"),
      3_000,
      "bob to read the DM",
    );
    await expect(device(server, carol).open(segmentDocName(roomId, 0))).rejects.toThrow("refused: forbidden");
    await expect(device(server, carol).open(roomDocName(roomId))).rejects.toThrow("refused: forbidden");
  });

  it("closing a document and opening it again at once on the same socket keeps the new one working", async () => {
    const alice = await signUp(server, "alice");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("reopen ") }, alice.cookie);
    const name = segmentDocName(body.room.id, 0);
    const d = device(server, alice);
    const first = await d.open(name);
    first.provider.destroy();
    const second = await d.open(name);
    appendMessage(second.doc, createMessage(alice.id, "after reopening"));
    await eventually(
      () => listMessages(second.doc).find((m) => m.text === "after reopening")?.seq,
      3_000,
      "message sequenced",
    );
  });
});

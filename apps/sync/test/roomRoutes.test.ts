import {
  getIndexedRoom,
  listMessages,
  readRoomMeta,
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

beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

describe("room routes", () => {
  it("a member adds people to a private room; outsiders learn nothing of it", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const eve = await signUp(server, "eve");
    const { body } = await api(
      server,
      "POST",
      "/api/rooms",
      { name: uniqueName("secret "), private: true },
      alice.cookie,
    );
    const roomId = body.room.id as string;

    expect(
      (await api(server, "POST", `/api/rooms/${roomId}/members`, { username: bob.username }, eve.cookie))
        .status,
    ).toBe(404);
    const added = await api(
      server,
      "POST",
      `/api/rooms/${roomId}/members`,
      { username: `@${bob.username.toUpperCase()}` },
      alice.cookie,
    );
    expect(added.status).toBe(201);
    const again = await api(
      server,
      "POST",
      `/api/rooms/${roomId}/members`,
      { username: bob.username },
      alice.cookie,
    );
    expect(again).toMatchObject({ status: 409, body: { error: `${bob.username} is already in this room.` } });
    expect(
      (await api(server, "POST", `/api/rooms/${roomId}/members`, { username: "nobody-here" }, alice.cookie))
        .status,
    ).toBe(404);

    const device = new Device(server, bob);
    devices.push(device);
    const index = await device.open(userDocName(bob.id));
    await eventually(() => getIndexedRoom(index.doc, roomId), 3_000, "the room in bob's index");
    const segment = await device.open(segmentDocName(roomId, 0));
    expect(listMessages(segment.doc).map((m) => [m.seq, m.text])).toEqual([
      [1, `${alice.username} added ${bob.username}`],
    ]);
    // Added now: nothing before counts as unread, the line about the room never does.
    expect(getIndexedRoom(index.doc, roomId)).toMatchObject({ unread: 0, kind: "private" });
  });

  it("the creator renames, sets the topic and archives; nobody else may", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const name = uniqueName("plans ");
    const { body } = await api(server, "POST", "/api/rooms", { name }, alice.cookie);
    const roomId = body.room.id as string;
    const bobDevice = new Device(server, bob);
    devices.push(bobDevice);
    await joinRoom(server, bob, roomId);
    const room = await bobDevice.open(roomDocName(roomId));
    const index = await bobDevice.open(userDocName(bob.id));

    const refused = await api(server, "PATCH", `/api/rooms/${roomId}`, { name: "mine now" }, bob.cookie);
    expect(refused).toMatchObject({
      status: 403,
      body: { error: "Only the person who created this room, or the workspace admin, can change it." },
    });
    expect((await api(server, "PATCH", `/api/rooms/${roomId}`, { name: " " }, alice.cookie)).status).toBe(
      400,
    );

    const renamed = `${name} v2`;
    const changed = await api(
      server,
      "PATCH",
      `/api/rooms/${roomId}`,
      { name: renamed, topic: "Q3 roadmap" },
      alice.cookie,
    );
    expect(changed).toMatchObject({
      status: 200,
      body: { room: { name: renamed, topic: "Q3 roadmap", archived: false } },
    });
    await eventually(
      () => readRoomMeta(room.doc)?.topic === "Q3 roadmap",
      3_000,
      "the topic in the room document",
    );
    await eventually(() => getIndexedRoom(index.doc, roomId)?.name === renamed, 3_000, "bob's index renamed");
    // The room says so in its history, numbered like a message; a topic alone or the same name does not.
    const segment = await bobDevice.open(segmentDocName(roomId, 0));
    const line = `${alice.username} renamed the room to ${renamed}`;
    await eventually(() => listMessages(segment.doc).some((m) => m.text === line), 3_000, "the line");
    expect(listMessages(segment.doc).find((m) => m.text === line)).toMatchObject({
      author: alice.id,
      seq: expect.any(Number),
      event: { type: "room-renamed", name: renamed },
    });
    await api(server, "PATCH", `/api/rooms/${roomId}`, { name: renamed, topic: "Q4" }, alice.cookie);
    await eventually(() => readRoomMeta(room.doc)?.topic === "Q4", 3_000, "the new topic");
    expect(listMessages(segment.doc).filter((m) => m.event)).toHaveLength(1);

    await api(server, "PATCH", `/api/rooms/${roomId}`, { archived: true }, alice.cookie);
    await eventually(
      () => getIndexedRoom(index.doc, roomId)?.archived === true,
      3_000,
      "archived in bob's index",
    );
    // Archived rooms stay readable.
    expect(readRoomMeta((await bobDevice.open(roomDocName(roomId))).doc)?.archived).toBe(true);
  });
});

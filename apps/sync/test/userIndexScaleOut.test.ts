import {
  appendMessage,
  createMessage,
  getIndexedRoom,
  markReadUpTo,
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

/**
 * The per-user index with two instances behind one Postgres and one Redis (as scaleOut.test.ts):
 * the instance that sequences a message (or sees the read marker move) writes the members' index
 * documents, and people connected to the other instance see the counts through Redis.
 */
const enabled = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(enabled)("the user index across instances", () => {
  let storage: TestStorage;
  let one: TestServer;
  let two: TestServer;
  const devices: Device[] = [];

  beforeAll(async () => {
    storage = await createStorage();
    const env = { REDIS_URL: process.env.REDIS_URL! };
    one = await startTestServer(storage, 0, env);
    two = await startTestServer(storage, 0, env);
  });
  afterAll(async () => {
    for (const d of devices) d.destroy();
    await one?.close();
    await two?.close();
    await storage?.dispose();
  });

  it("counts written on one instance reach a device on the other; reading there clears them", async () => {
    const alice = await signUp(one, "alice");
    const bob = await signUp(two, "bob");
    const { body } = await api(one, "POST", "/api/rooms", { name: uniqueName("scaled ") }, alice.cookie);
    const roomId = body.room.id as string;
    await joinRoom(two, bob, roomId);
    const aliceDevice = new Device(one, alice);
    const bobOnTwo = new Device(two, bob);
    const bobOnOne = new Device(one, bob);
    devices.push(aliceDevice, bobOnTwo, bobOnOne);
    const bobRoom = await bobOnTwo.open(roomDocName(roomId));
    const bobIndexTwo = await bobOnTwo.open(userDocName(bob.id));
    const bobIndexOne = await bobOnOne.open(userDocName(bob.id));
    const a = await aliceDevice.open(segmentDocName(roomId, 0));

    appendMessage(a.doc, createMessage(alice.id, `@${bob.username} over here`));
    await eventually(
      () => getIndexedRoom(bobIndexTwo.doc, roomId)?.mentions === 1,
      10_000,
      "bob's device on instance two to count the mention",
    );
    expect(getIndexedRoom(bobIndexTwo.doc, roomId)?.unread).toBe(1);

    markReadUpTo(bobRoom.doc, bob.id, 1);
    await eventually(
      () => getIndexedRoom(bobIndexOne.doc, roomId)?.unread === 0,
      10_000,
      "bob's device on instance one to see the room read",
    );
    await eventually(() => getIndexedRoom(bobIndexTwo.doc, roomId)?.unread === 0, 10_000, "and on two");
  });
});

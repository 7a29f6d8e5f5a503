import {
  createMessage,
  listSegments,
  type MessageRecord,
  roomDocName,
  SEGMENT_CAPACITY,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { RoomSegments } from "../src/docs/roomSegments.ts";
import { DEFAULT_LIMITS, type LimitPolicy } from "../src/limits/policy.ts";
import {
  api,
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
 * Documents one socket or account may open (issue 17): history segments only once their room lists
 * them, and a bounded number at once (small here, so each is reached in a few documents).
 */
const limits: LimitPolicy = {
  ...DEFAULT_LIMITS,
  // One account fills a whole segment here: the message limits are not what is tested.
  account: { ...DEFAULT_LIMITS.account, messagesPerMinute: 1e9, messagesPerUpdate: 1e9 },
  documents: { ...DEFAULT_LIMITS.documents, openPerSocket: 5, openPerAccount: 8 },
};

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
const device = (user: TestUser, on: TestServer = server) => {
  const d = new Device(on, user);
  devices.push(d);
  return d;
};

beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage, 0, {}, { limits });
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

async function newRoom(owner: TestUser, on: TestServer = server): Promise<string> {
  const { body } = await api(on, "POST", "/api/rooms", { name: uniqueName("room ") }, owner.cookie);
  return body.room.id as string;
}

/** Writes SEGMENT_CAPACITY messages into the room's segment 0 and waits until segment 1 is listed. */
async function fillFirstSegment(owner: TestUser, roomId: string, on: TestServer = server): Promise<Y.Doc> {
  const writer = device(owner, on);
  const room = await writer.open(roomDocName(roomId));
  const first = await writer.open(segmentDocName(roomId, 0));
  first.doc.transact(() => {
    const list = first.doc.getArray<MessageRecord>("messages");
    list.insert(
      list.length,
      Array.from({ length: SEGMENT_CAPACITY }, (_, i) => createMessage(owner.id, `message ${i}`)),
    );
  });
  await eventually(() => listSegments(room.doc).length === 2, 20_000, "segment 1 to be listed");
  return room.doc;
}

describe("history segments that exist", () => {
  it("a segment the room does not list is refused; the newest, and one the sealer just opened, open", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const opener = device(alice);
    await expect(opener.open(segmentDocName(roomId, 1))).rejects.toThrow("refused: not-found");
    await expect(opener.open(segmentDocName(roomId, 999_999_999))).rejects.toThrow("refused: not-found");
    await expect(opener.open(segmentDocName(roomId, 0))).resolves.toBeTruthy();

    await fillFirstSegment(alice, roomId);
    // A device that has not opened the room on this socket asks for the new segment at once.
    await expect(device(alice).open(segmentDocName(roomId, 1))).resolves.toBeTruthy();
    await expect(device(alice).open(segmentDocName(roomId, 2))).rejects.toThrow("refused: not-found");
  });

  it("a segment listed in Postgres but not yet in this instance's copy of the room exists (sealed on another instance)", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    await fillFirstSegment(alice, roomId);
    const stale = new Y.Doc();
    stale.getArray<number>("segments").insert(0, [0]);
    const segments = new RoomSegments(server.db, () => stale);
    expect(await segments.exists(roomId, 1)).toBe(true);
    expect(await segments.exists(roomId, 2)).toBe(false);
  });
});

describe("open documents per socket and per account", () => {
  it("a socket opens at most its share; closing one frees a place; the account's other sockets share the account's cap", async () => {
    const bob = await signUp(server, "bob");
    const rooms = [await newRoom(bob), await newRoom(bob), await newRoom(bob)];
    const names = [
      "directory",
      userDocName(bob.id),
      ...rooms.flatMap((id) => [roomDocName(id), segmentDocName(id, 0)]),
    ];
    const laptop = device(bob);
    for (const name of names.slice(0, 5)) await laptop.open(name);
    await expect(laptop.open(names[5]!)).rejects.toThrow("refused: too-many-documents");

    // Another person is not affected.
    const carol = await signUp(server, "carol");
    await expect(device(carol).open("directory")).resolves.toBeTruthy();

    // Closing a document gives its place back.
    laptop.providers.get(names[0]!)!.destroy();
    await eventually(
      async () =>
        (await laptop.open(names[5]!).then(
          () => true,
          () => false,
        )) || undefined,
      5_000,
      "a place freed on the socket",
    );

    // The account holds 8 over all its sockets: the laptop holds 5, the phone gets 3.
    const phone = device(bob);
    for (const name of names.slice(0, 3)) await phone.open(name);
    await expect(phone.open(names[3]!)).rejects.toThrow("refused: too-many-documents");
    laptop.destroy();
    await eventually(
      async () =>
        (await phone.open(names[3]!).then(
          () => true,
          () => false,
        )) || undefined,
      5_000,
      "places freed when the laptop's socket closed",
    );
  });
});

const multiInstance = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.skipIf(!multiInstance)("with two instances", () => {
  let two: TestServer;
  beforeAll(async () => {
    two = await startTestServer(storage, 0, { REDIS_URL: process.env.REDIS_URL! }, { limits });
  });
  afterAll(async () => {
    await two?.close();
  });

  it("a segment sealed on one instance opens on the other at once", async () => {
    // The first server runs without Redis; the sealer's listing reaches the second through Postgres.
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    await fillFirstSegment(alice, roomId);
    const elsewhere = device(alice, two);
    await expect(elsewhere.open(segmentDocName(roomId, 1))).resolves.toBeTruthy();
    await expect(elsewhere.open(segmentDocName(roomId, 2))).rejects.toThrow("refused: not-found");
  });
});

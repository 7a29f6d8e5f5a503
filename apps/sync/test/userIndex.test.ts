import {
  appendMessage,
  createMessage,
  deleteMessage,
  editMessage,
  getIndexedRoom,
  listMentions,
  listMessages,
  listPublicRooms,
  markReadUpTo,
  markUnreadFrom,
  observeIndex,
  ROOTS,
  readPosition,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  joinRoom,
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

const entry = (doc: Y.Doc, roomId: string) => getIndexedRoom(doc, roomId);

async function room(owner: TestUser, isPrivate = false) {
  const { body } = await api(
    server,
    "POST",
    "/api/rooms",
    { name: uniqueName("room "), private: isPrivate },
    owner.cookie,
  );
  return body.room.id as string;
}

const isMemberRow = async (roomId: string, userId: string) =>
  (await server.db.query("select 1 from room_members where room_id = $1 and user_id = $2", [roomId, userId]))
    .length > 0;

describe("the per-user index follows messages and read positions", () => {
  it("counts unread and mentions within moments of sequencing, and clears them on every device on read", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await room(alice);
    const aliceSegment = await device(alice).open(segmentDocName(roomId, 0));
    const bobPhone = device(bob);
    const bobLaptop = device(bob);
    await joinRoom(server, bob, roomId);
    const bobRoom = await bobPhone.open(roomDocName(roomId));
    const phoneIndex = await bobPhone.open(userDocName(bob.id));
    const laptopIndex = await bobLaptop.open(userDocName(bob.id));
    await eventually(() => entry(phoneIndex.doc, roomId), 3_000, "the room in bob's index");
    expect(entry(phoneIndex.doc, roomId)).toMatchObject({ unread: 0, mentions: 0, archived: false });

    // Time from alice sending to bob's other device showing the count (sequencing included).
    let countedAt = 0;
    const stop = observeIndex(laptopIndex.doc, () => {
      if (!countedAt && entry(laptopIndex.doc, roomId)?.unread === 1) countedAt = performance.now();
    });
    const sentAt = performance.now();
    appendMessage(aliceSegment.doc, createMessage(alice.id, "standup in 5"));
    await eventually(() => countedAt > 0, 5_000, "bob's count");
    stop();
    // How soon is the bench's to say (a shared machine's clock proves nothing here); this shows it.
    console.info(`bob's index showed the message ${(countedAt - sentAt).toFixed(0)} ms after alice sent it`);

    const mentionedAt = Date.now();
    appendMessage(aliceSegment.doc, createMessage(alice.id, `@${bob.username} can you take notes?`));
    await eventually(
      () => entry(laptopIndex.doc, roomId)?.mentions === 1 && entry(phoneIndex.doc, roomId)?.unread === 2,
      5_000,
      "unread 2, mentions 1 on both devices",
    );
    const activity = entry(laptopIndex.doc, roomId)!.lastActivity;
    // The time of this message, not of anything before it (an order on one clock, not a duration).
    expect(activity).toBeGreaterThanOrEqual(mentionedAt);
    expect(activity).toBeLessThanOrEqual(Date.now());
    expect(listMentions(laptopIndex.doc).map((m) => [m.roomId, m.author, m.preview])).toEqual([
      [roomId, alice.id, `@${bob.username} can you take notes?`],
    ]);

    // Reading on the phone clears the count on the laptop too.
    markReadUpTo(bobRoom.doc, bob.id, 2);
    await eventually(
      () => entry(laptopIndex.doc, roomId)?.unread === 0 && entry(laptopIndex.doc, roomId)?.mentions === 0,
      5_000,
      "read on the phone shows on the laptop",
    );
    // Alice's own messages never count for her.
    const aliceIndex = await device(alice).open(userDocName(alice.id));
    expect(entry(aliceIndex.doc, roomId)).toMatchObject({ unread: 0, mentions: 0 });
  });

  it("Mark unread: one's own marker moves back and the count comes back on every device; never someone else's", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await room(alice);
    const aliceSegment = await device(alice).open(segmentDocName(roomId, 0));
    const bobPhone = device(bob);
    await joinRoom(server, bob, roomId);
    const bobRoom = await bobPhone.open(roomDocName(roomId));
    const laptopIndex = await device(bob).open(userDocName(bob.id));
    await eventually(() => entry(laptopIndex.doc, roomId), 3_000, "the room in bob's index");
    appendMessage(aliceSegment.doc, createMessage(alice.id, "one"));
    appendMessage(aliceSegment.doc, createMessage(alice.id, `two @${bob.username}`));
    appendMessage(aliceSegment.doc, createMessage(alice.id, "three"));
    await eventually(() => entry(laptopIndex.doc, roomId)?.unread === 3, 5_000, "three unread");
    const seqOf = (text: string) => listMessages(aliceSegment.doc).find((m) => m.text === text)?.seq;
    await eventually(() => seqOf("three"), 5_000, "numbers on alice's copy");

    markReadUpTo(bobRoom.doc, bob.id, seqOf("three")!);
    await eventually(() => entry(laptopIndex.doc, roomId)?.unread === 0, 5_000, "all read");

    // Back to just before "two": two unread again (one of them a mention), counted from scratch.
    expect(markUnreadFrom(bobRoom.doc, bob.id, seqOf(`two @${bob.username}`)!)).toBe(true);
    await eventually(
      () => entry(laptopIndex.doc, roomId)?.unread === 2 && entry(laptopIndex.doc, roomId)?.mentions === 1,
      5_000,
      "the count back on bob's other device",
    );
    // Postgres holds the position the document holds, so a recount elsewhere agrees.
    const [row] = await server.db.query<{ read_seq: number | string; unread: number | string }>(
      "select read_seq, unread from room_reads where room_id = $1 and user_id = $2",
      [roomId, bob.id],
    );
    expect(Number(row!.read_seq)).toBe(seqOf("one"));
    expect(Number(row!.unread)).toBe(2);
    // A new message counts on top of the position moved back.
    appendMessage(aliceSegment.doc, createMessage(alice.id, "four"));
    await eventually(() => entry(laptopIndex.doc, roomId)?.unread === 3, 5_000, "three unread again");
    // Reading on still clears it.
    markReadUpTo(bobRoom.doc, bob.id, seqOf("three")! + 1);
    await eventually(() => entry(laptopIndex.doc, roomId)?.unread === 0, 5_000, "read again");

    // Alice may not move bob's marker back (nor forward): her connection is refused.
    const aliceRoom = await device(alice).open(roomDocName(roomId));
    const closing = closeReason(aliceRoom.provider);
    aliceRoom.doc.getMap(ROOTS.room.reads).set(bob.id, 0);
    expect(await closing).toMatch(/^forbidden-write: members move only their own read marker/);
    const [after] = await server.db.query<{ unread: number | string }>(
      "select unread from room_reads where room_id = $1 and user_id = $2",
      [roomId, bob.id],
    );
    expect(Number(after!.unread)).toBe(0);
    expect(entry(laptopIndex.doc, roomId)?.unread).toBe(0);
  });

  it("a stale device's marker, written without knowing a further one, never un-reads", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await room(alice);
    const aliceSegment = await device(alice).open(segmentDocName(roomId, 0));
    await joinRoom(server, bob, roomId);
    const bobRoom = await device(bob).open(roomDocName(roomId));
    const bobIndex = await device(bob).open(userDocName(bob.id));
    for (const text of ["one", "two", "three"])
      appendMessage(aliceSegment.doc, createMessage(alice.id, text));
    const seqOf = (text: string) => listMessages(aliceSegment.doc).find((m) => m.text === text)?.seq;
    await eventually(() => seqOf("three"), 5_000, "numbers");
    markReadUpTo(bobRoom.doc, bob.id, seqOf("one")!);
    await eventually(() => entry(bobIndex.doc, roomId)?.unread === 2, 5_000, "two unread");

    // A device that goes offline with this copy, and reads up to "two" there.
    const stale = new Y.Doc();
    // Above any random client id of the other device, so Yjs keeps its write over the other's.
    stale.clientID = 2 ** 32 - 1 - Math.floor(Math.random() * 1_000);
    Y.applyUpdate(stale, Y.encodeStateAsUpdate(bobRoom.doc));
    markReadUpTo(stale, bob.id, seqOf("two")!);
    // Meanwhile the other device reads everything.
    markReadUpTo(bobRoom.doc, bob.id, seqOf("three")!);
    await eventually(() => entry(bobIndex.doc, roomId)?.unread === 0, 5_000, "all read");

    // The stale device comes back: the document keeps its "two", but the count stays read.
    await device(bob).open(roomDocName(roomId), stale);
    await eventually(() => readPosition(bobRoom.doc, bob.id) === seqOf("two"), 5_000, "the stale write kept");
    appendMessage(aliceSegment.doc, createMessage(alice.id, "four"));
    await eventually(() => entry(bobIndex.doc, roomId)?.unread === 1, 5_000, "only the new message unread");
    const [row] = await server.db.query<{ read_seq: number | string; unread: number | string }>(
      "select read_seq, unread from room_reads where room_id = $1 and user_id = $2",
      [roomId, bob.id],
    );
    expect(Number(row!.read_seq)).toBe(seqOf("three"));
    expect(Number(row!.unread)).toBe(1);
  });

  it("a read marker set past the room's last number counts as read up to the last, not beyond", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await room(alice);
    const aliceSegment = await device(alice).open(segmentDocName(roomId, 0));
    await joinRoom(server, bob, roomId);
    const bobRoom = await device(bob).open(roomDocName(roomId));
    const bobIndex = await device(bob).open(userDocName(bob.id));
    appendMessage(aliceSegment.doc, createMessage(alice.id, "one"));
    await eventually(() => entry(bobIndex.doc, roomId)?.unread === 1, 5_000, "one unread");
    bobRoom.doc.getMap(ROOTS.room.reads).set(bob.id, 1_000);
    await eventually(() => entry(bobIndex.doc, roomId)?.unread === 0, 5_000, "read");
    const [row] = await server.db.query<{ read_seq: number | string }>(
      "select read_seq from room_reads where room_id = $1 and user_id = $2",
      [roomId, bob.id],
    );
    const [last] = await server.db.query<{ last_seq: number | string }>(
      "select last_seq from rooms where id = $1",
      [roomId],
    );
    expect(Number(row!.read_seq)).toBe(Number(last!.last_seq));
    // The next message is unread for bob, as the room's numbers say.
    appendMessage(aliceSegment.doc, createMessage(alice.id, "two"));
    await eventually(() => entry(bobIndex.doc, roomId)?.unread === 1, 5_000, "the next one unread");
  });

  it("a deleted message leaves the count; an edit that mentions someone counts for them", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await room(alice);
    await joinRoom(server, bob, roomId);
    const bobIndex = await device(bob).open(userDocName(bob.id));
    const a = await device(alice).open(segmentDocName(roomId, 0));
    const first = createMessage(alice.id, "first");
    const second = createMessage(alice.id, "second");
    appendMessage(a.doc, first);
    appendMessage(a.doc, second);
    await eventually(() => entry(bobIndex.doc, roomId)?.unread === 2, 5_000, "two unread");
    deleteMessage(a.doc, first, alice.id);
    editMessage(a.doc, second, alice.id, `second, @${bob.username}`);
    await eventually(
      () => entry(bobIndex.doc, roomId)?.unread === 1 && entry(bobIndex.doc, roomId)?.mentions === 1,
      5_000,
      "deletion and edit counted",
    );
  });

  it("someone else's message cannot be edited or deleted: the write is refused", async () => {
    const alice = await signUp(server, "alice");
    const mallory = await signUp(server, "mallory");
    const roomId = await room(alice);
    await joinRoom(server, mallory, roomId);
    const name = segmentDocName(roomId, 0);
    const a = await device(alice).open(name);
    const message = createMessage(alice.id, "mine");
    appendMessage(a.doc, message);
    const m = await device(mallory).open(name);
    await eventually(() => listMessages(m.doc).length === 1, 3_000, "mallory sees the message");
    const closing = closeReason(m.provider);
    m.doc.getMap("edits").set(message.id, { text: "", deleted: true, at: Date.now() });
    expect(await closing).toMatch(/^forbidden-write: only its author edits or deletes a message/);
    const fresh = await device(alice).open(name);
    expect(listMessages(fresh.doc)[0]).toMatchObject({ text: "mine", deleted: false });
  });
});

describe("mentions bring people in", () => {
  it("mentioning a non-member of a public room adds them with a line 'alice added carol', unread with a mention", async () => {
    const alice = await signUp(server, "alice");
    const carol = await signUp(server, "carol");
    const roomId = await room(alice);
    const carolIndex = await device(carol).open(userDocName(carol.id));
    expect(await isMemberRow(roomId, carol.id)).toBe(false);

    const a = await device(alice).open(segmentDocName(roomId, 0));
    appendMessage(a.doc, createMessage(alice.id, "earlier, before carol"));
    appendMessage(a.doc, createMessage(alice.id, `@${carol.username} have a look`));
    await eventually(
      () => listMessages(a.doc).some((m) => m.text === `${alice.username} added ${carol.username}`),
      5_000,
      "the added line",
    );
    const line = listMessages(a.doc).at(-1)!;
    expect(line).toMatchObject({ author: alice.id, event: { type: "member-added", userId: carol.id } });
    expect(line.seq).toBe(3);
    await eventually(
      () => entry(carolIndex.doc, roomId)?.unread === 1 && entry(carolIndex.doc, roomId)?.mentions === 1,
      5_000,
      "carol's index: the room with one unread mention",
    );
    expect(entry(carolIndex.doc, roomId)?.kind).toBe("channel");
    const carolSegment = await device(carol).open(segmentDocName(roomId, 0));
    expect(listMessages(carolSegment.doc).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it("a mentions list the text does not back is refused: it adds nobody and counts no mention; an honest one still does", async () => {
    const alice = await signUp(server, "alice");
    const carol = await signUp(server, "carol");
    const roomId = await room(alice);
    const name = segmentDocName(roomId, 0);
    const carolIndex = await device(carol).open(userDocName(carol.id));

    const forger = await device(alice).open(name);
    const closing = closeReason(forger.provider);
    forger.doc.getArray(ROOTS.segment.messages).insert(0, [
      {
        id: "forged0000000001",
        author: alice.id,
        createdAt: Date.now(),
        text: "just a harmless line",
        mentions: [carol.username],
      },
    ]);
    expect(await closing).toBe("forbidden-write: a message's mentions are the names its text mentions");
    await new Promise((r) => setTimeout(r, 300));
    expect(await isMemberRow(roomId, carol.id)).toBe(false);
    expect(entry(carolIndex.doc, roomId)).toBeUndefined();
    expect(listMentions(carolIndex.doc)).toEqual([]);
    expect(await server.db.query("select 1 from room_messages where room_id = $1", [roomId])).toEqual([]);

    const honest = await device(alice).open(name);
    expect(listMessages(honest.doc)).toEqual([]);
    appendMessage(honest.doc, createMessage(alice.id, `@${carol.username} this one is for you`));
    await eventually(
      () => entry(carolIndex.doc, roomId)?.mentions === 1,
      5_000,
      "carol added, with one mention",
    );
    // The mention list is written beside the count, not with it.
    await eventually(() => listMentions(carolIndex.doc).length > 0, 5_000, "carol's mention list");
    expect(listMentions(carolIndex.doc).map((m) => m.preview)).toEqual([
      `@${carol.username} this one is for you`,
    ]);
  });

  it("a private room is invisible to a non-member: not in the directory, not openable", async () => {
    const alice = await signUp(server, "alice");
    const dave = await signUp(server, "dave");
    const roomId = await room(alice, true);
    const directory = await device(dave).open("directory");
    expect(listPublicRooms(directory.doc).some((r) => r.id === roomId)).toBe(false);
    await expect(device(dave).open(roomDocName(roomId))).rejects.toThrow("refused: forbidden");
    const daveIndex = await device(dave).open(userDocName(dave.id));
    expect(entry(daveIndex.doc, roomId)).toBeUndefined();
  });
});

import {
  appendMessage,
  createMessage,
  createReply,
  deleteMessage,
  getIndexedRoom,
  listFollowedThreads,
  listMentions,
  listMessages,
  markThreadReadUpTo,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Y from "yjs";
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

/** Threads through the real server: replies numbered like messages, followers' counts in their indexes. */
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

async function room(owner: TestUser): Promise<string> {
  const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, owner.cookie);
  return body.room.id as string;
}

const thread = (doc: Y.Doc, rootId: string) => listFollowedThreads(doc).find((t) => t.rootId === rootId);
const numbered = (doc: Y.Doc, id: string) => listMessages(doc).some((m) => m.id === id && m.seq !== null);

describe("threads", () => {
  it("counts replies for the thread's followers, not the room, and clears on every device when read", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const carol = await signUp(server, "carol");
    const roomId = await room(alice);
    await joinRoom(server, bob, roomId);
    await joinRoom(server, carol, roomId);
    const a = await device(alice).open(segmentDocName(roomId, 0));
    const b = await device(bob).open(segmentDocName(roomId, 0));
    const alicePhone = device(alice);
    const aliceRoom = await alicePhone.open(roomDocName(roomId));
    const phoneIndex = await alicePhone.open(userDocName(alice.id));
    const laptopIndex = await device(alice).open(userDocName(alice.id));
    const carolIndex = await device(carol).open(userDocName(carol.id));

    const root = createMessage(alice.id, "Shall we ship on Friday?");
    appendMessage(a.doc, root);
    await eventually(() => numbered(b.doc, root.id), 5_000, "the root numbered");
    const first = createReply(bob.id, "yes", root.id);
    appendMessage(b.doc, first);
    const second = createReply(bob.id, `@${carol.username} can you check the release notes?`, root.id);
    appendMessage(b.doc, second);
    await eventually(
      () => thread(laptopIndex.doc, root.id)?.unread === 2 && thread(carolIndex.doc, root.id)?.unread === 2,
      5_000,
      "alice (the root's author) and carol (mentioned) follow the thread",
    );
    expect(thread(laptopIndex.doc, root.id)).toMatchObject({
      roomId,
      replies: 2,
      mentions: 0,
      preview: "Shall we ship on Friday?",
      rootAuthor: alice.id,
    });
    expect(thread(carolIndex.doc, root.id)).toMatchObject({ unread: 2, mentions: 1 });
    // The mention list opens the thread.
    expect(listMentions(carolIndex.doc)[0]).toMatchObject({ messageId: second.id, threadRoot: root.id });
    // Replies kept in the thread leave the room's count alone.
    expect(getIndexedRoom(laptopIndex.doc, roomId)?.unread).toBe(0);

    // Also sent to the room: counted in both.
    const shared = createReply(bob.id, "Friday it is", root.id, { alsoInRoom: true });
    appendMessage(b.doc, shared);
    await eventually(
      () =>
        thread(laptopIndex.doc, root.id)?.unread === 3 &&
        getIndexedRoom(laptopIndex.doc, roomId)?.unread === 1,
      5_000,
      "the shared reply in the thread and the room",
    );

    // Reading the thread on the phone clears it on the laptop.
    const last = listMessages(b.doc).find((m) => m.id === shared.id)!.seq!;
    markThreadReadUpTo(aliceRoom.doc, alice.id, root.id, last);
    await eventually(() => thread(laptopIndex.doc, root.id)?.unread === 0, 5_000, "read on the phone");
    expect(thread(phoneIndex.doc, root.id)?.unread).toBe(0);
    // Carol's own count is hers (written to her index on its own schedule).
    await eventually(() => thread(carolIndex.doc, root.id)?.unread === 3, 5_000, "carol's count");
    // Bob follows it (he replied); his own replies are not unread to him.
    const bobIndex = await device(bob).open(userDocName(bob.id));
    await eventually(() => thread(bobIndex.doc, root.id) !== undefined, 5_000, "bob follows");
    expect(thread(bobIndex.doc, root.id)?.unread).toBe(0);
  });

  it("refuses a reply to nothing, to a reply, to a deleted message or to another room's message", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await room(alice);
    const otherRoom = await room(alice);
    const name = segmentDocName(roomId, 0);
    const setup = await device(alice).open(name);
    const root = createMessage(alice.id, "root");
    const gone = createMessage(alice.id, "to be deleted");
    appendMessage(setup.doc, root);
    appendMessage(setup.doc, gone);
    const reply = createReply(alice.id, "a reply", root.id);
    appendMessage(setup.doc, reply);
    await eventually(() => numbered(setup.doc, reply.id), 5_000, "the reply numbered");
    deleteMessage(setup.doc, gone, alice.id);
    const elsewhere = await device(alice).open(segmentDocName(otherRoom, 0));
    const foreign = createMessage(alice.id, "in the other room");
    appendMessage(elsewhere.doc, foreign);
    await eventually(() => numbered(elsewhere.doc, foreign.id), 5_000, "the other room's message numbered");

    const refused = async (rootId: string, expected: RegExp) => {
      const d = await device(alice).open(name);
      await eventually(() => numbered(d.doc, reply.id), 5_000, "synced");
      const closing = closeReason(d.provider);
      appendMessage(d.doc, createReply(alice.id, "hello?", rootId));
      expect(await closing).toMatch(expected);
    };
    await refused("no-such-message", /^forbidden-write: a reply answers a message of its room/);
    await refused(foreign.id, /^forbidden-write: a reply answers a message of its room/);
    await refused(reply.id, /^forbidden-write: a reply answers a message, not another reply/);
    await refused(gone.id, /^forbidden-write: the message replied to was deleted/);
    // Nothing of them was kept.
    const fresh = await device(alice).open(name);
    expect(listMessages(fresh.doc).filter((m) => m.text === "hello?")).toEqual([]);
  });

  it("takes a root in an older segment from Postgres", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await room(alice);
    // A message numbered long ago, in a segment this one succeeded (only its row is needed here).
    await server.db.query(
      "insert into room_messages (room_id, seq, message_id, author) values ($1, 1000, 'old-root', $2)",
      [roomId, alice.id],
    );
    const d = await device(alice).open(segmentDocName(roomId, 0));
    const reply = createReply(alice.id, "answering an old message", "old-root");
    appendMessage(d.doc, reply);
    await eventually(() => numbered(d.doc, reply.id), 5_000, "the reply numbered");
    const [row] = await server.db.query<{ thread_root: string; in_room: boolean }>(
      "select thread_root, in_room from room_messages where message_id = $1",
      [reply.id],
    );
    expect(row).toEqual({ thread_root: "old-root", in_room: false });
  });
});

import {
  appendMessage,
  createMessage,
  groupedReactions,
  messageReactions,
  reactionKey,
  segmentDocName,
  toggleReaction,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  joinRoom,
  signUp,
  startTestServer,
  storedDoc,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

/**
 * "Each member reacts as themselves" (docs/architecture.md, "Who writes which document"), with the real provider: a reaction
 * in someone else's name or on a message the segment does not hold closes the document with 4403 and
 * reaches neither Postgres nor the other members; one's own reaction, and taking it back, reach them.
 */
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

/** Alice's room with bob and mallory in it and one message of bob's, sequenced. */
async function roomWithMessage() {
  const alice = await signUp(server, "alice");
  const bob = await signUp(server, "bob");
  const mallory = await signUp(server, "mallory");
  const room = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
  for (const member of [bob, mallory]) await joinRoom(server, member, room.body.room.id);
  const segment = segmentDocName(room.body.room.id, 0);
  const b = await device(bob).open(segment);
  const message = createMessage(bob.id, "who's in for lunch?");
  appendMessage(b.doc, message);
  await eventually(() => !b.provider.hasUnsyncedChanges, 5_000, "bob's message stored");
  return { alice, bob, mallory, segment, b, message };
}

describe("reactions, each member as themselves", () => {
  it("a reaction in someone else's name is refused and reaches nobody", async () => {
    const { alice, mallory, segment, b, message } = await roomWithMessage();
    const m = await device(mallory).open(segment);
    const closing = closeReason(m.provider);
    toggleReaction(m.doc, message.id, "👍", alice.id);
    expect(await closing).toBe("forbidden-write: members react only as themselves");
    expect(messageReactions(await storedDoc(server, segment)).size).toBe(0);
    // What bob's device holds is the server's: nothing of the forgery.
    await new Promise((r) => setTimeout(r, 200));
    expect(groupedReactions(b.doc, message.id, alice.id)).toEqual([]);
  });

  it("a reaction on a message the segment does not hold is refused", async () => {
    const { mallory, segment } = await roomWithMessage();
    const m = await device(mallory).open(segment);
    const closing = closeReason(m.provider);
    toggleReaction(m.doc, "no-such-message", "👍", mallory.id);
    expect(await closing).toBe("forbidden-write: a reaction must refer to a message of this segment");
    expect(messageReactions(await storedDoc(server, segment)).size).toBe(0);
  });

  it("taking back someone else's reaction is refused", async () => {
    const { alice, mallory, segment, message } = await roomWithMessage();
    const a = await device(alice).open(segment);
    toggleReaction(a.doc, message.id, "🎉", alice.id);
    await eventually(() => !a.provider.hasUnsyncedChanges, 5_000, "alice's reaction stored");
    const m = await device(mallory).open(segment);
    await eventually(() => messageReactions(m.doc).size === 1, 5_000, "mallory sees it");
    const closing = closeReason(m.provider);
    messageReactions(m.doc).delete(reactionKey(message.id, "🎉", alice.id));
    expect(await closing).toBe("forbidden-write: members react only as themselves");
    expect(
      messageReactions(await storedDoc(server, segment)).has(reactionKey(message.id, "🎉", alice.id)),
    ).toBe(true);
  });

  it("one's own reaction and taking it back reach the other members and Postgres", async () => {
    const { alice, bob, segment, b, message } = await roomWithMessage();
    const a = await device(alice).open(segment);
    expect(toggleReaction(a.doc, message.id, "👍", alice.id)).toBe(true);
    await eventually(
      () => groupedReactions(b.doc, message.id, bob.id)[0]?.count === 1,
      5_000,
      "bob sees alice's 👍",
    );
    expect(toggleReaction(b.doc, message.id, "👍", bob.id)).toBe(true);
    await eventually(
      () => groupedReactions(a.doc, message.id, alice.id)[0]?.count === 2,
      5_000,
      "alice sees both",
    );
    expect(groupedReactions(b.doc, message.id, bob.id)).toEqual([
      { emoji: "👍", count: 2, mine: true, users: expect.arrayContaining([alice.id, bob.id]) },
    ]);
    expect(toggleReaction(a.doc, message.id, "👍", alice.id)).toBe(false);
    await eventually(
      () => groupedReactions(b.doc, message.id, bob.id)[0]?.count === 1,
      5_000,
      "bob sees alice's taken back",
    );
    await eventually(() => !a.provider.hasUnsyncedChanges, 5_000, "stored");
    expect(groupedReactions(await storedDoc(server, segment), message.id, bob.id)).toEqual([
      { emoji: "👍", count: 1, mine: true, users: [bob.id] },
    ]);
    // Neither provider was closed for any of it.
    expect(a.provider.isSynced && b.provider.isSynced).toBe(true);
  });
});
